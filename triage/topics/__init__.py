"""Topics, their onset and age, and the hype verdict with the evidence behind it.

Hype is a property of a topic over time, not of one paper, and only of a topic a researcher can
name. Two kinds of topic:

* phrase topics (`phrases`): words and two-word phrases the papers write (adjacent words,
  plurals folded) whose monthly share rose from about zero, grouped when their papers overlap or
  they spell one idea two ways; a one-word topic must be a name (an acronym, a model or method
  name: "GRPO", "o1", "Mamba"), never an ordinary word that rose with a wave ("scaffold");
* cluster topics (`clusters`): k-means clusters of title embeddings, labelled by class TF-IDF, so
  every paper has its nearest established topic as context. A cluster is never young.

A paper takes a young active phrase topic it holds if any, else its youngest nameable one, else
its cluster. A topic in more than max_label_share of recent papers is too broad to say anything
(no young verdict, no label).

Onset (`verdict`), per source (`grid`) so a source joining the mix cannot fake a rise: the topic
rose from about zero, and its age counts from when it became popular; hype = age < 6 months and
active now; null with under min_history_months of history. `topic_age` is the one age every view
shows. `build` rebuilds or updates the topics in the store.
"""

from triage.topics.build import assign_papers, rebuild, topic_rows, update_topics
from triage.topics.clusters import coherence, ctfidf_labels, dedupe_terms, split_broad_clusters
from triage.topics.grid import (
    SMALL,
    Grid,
    build_grid,
    cell_counts,
    cells,
    curves,
    grid_of,
    history_months,
    month_index,
    month_name,
    month_totals,
)
from triage.topics.labels import label_of
from triage.topics.phrases import (
    context_pairs,
    join_spellings,
    phrase_rises,
    rising_phrases,
    written_as_name,
)
from triage.topics.text import embed_texts, full_text, name_share, phrase_vectorizer, phrases_of, words_of
from triage.topics.verdict import Age, age_text, onsets, popular_since, topic_age, verdicts

__all__ = [
    "SMALL",
    "Age",
    "Grid",
    "age_text",
    "assign_papers",
    "build_grid",
    "cell_counts",
    "cells",
    "coherence",
    "context_pairs",
    "ctfidf_labels",
    "curves",
    "dedupe_terms",
    "embed_texts",
    "full_text",
    "grid_of",
    "history_months",
    "label_of",
    "join_spellings",
    "month_index",
    "month_name",
    "month_totals",
    "name_share",
    "onsets",
    "phrase_rises",
    "phrase_vectorizer",
    "phrases_of",
    "popular_since",
    "rebuild",
    "rising_phrases",
    "split_broad_clusters",
    "topic_age",
    "topic_rows",
    "update_topics",
    "verdicts",
    "words_of",
    "written_as_name",
]
