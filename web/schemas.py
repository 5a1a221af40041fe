"""The shape of every request body the app accepts, as pydantic models, and their errors as sentences.

JSON bodies are strict (5 is not a string, "yes" is not a boolean, unknown keys are refused); form
bodies arrive as strings and may carry the CSRF token and button names besides. Every text field is
bounded by [web] max_field_chars, passed in as validation context.
"""

from __future__ import annotations

import json
from typing import Literal, TypeVar

from flask import current_app, request
from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from triage.errors import UserError

LABELS = {"tried": "text of what you tried", "evidence": "evidence link", "next": "next address"}


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @field_validator("*")
    @classmethod
    def _bounded(cls, value, info: ValidationInfo):
        if not isinstance(value, str):
            return value
        name = LABELS.get(info.field_name, info.field_name)
        limit = (info.context or {}).get("max_chars")
        if limit is not None and len(value) > limit:
            raise PydanticCustomError(
                "too_long",
                "The {name} is {n} characters long; at most {limit} are accepted ([web] max_field_chars).",
                {"name": name, "n": f"{len(value):,}", "limit": f"{limit:,}"},
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # JSON allows lone surrogate escapes ("\ud800"); no text store can hold them.
            raise PydanticCustomError(
                "not_utf8", "The {name} holds an unpaired surrogate.", {"name": name}
            ) from None
        return value


class _Form(_Body):
    model_config = ConfigDict(strict=True, extra="ignore")


class AttemptBody(_Body):
    problem: str
    tried: str
    bottleneck: str
    evidence: str | None = None


class ReadBody(_Body):
    note: str | None = None
    unblocked: bool = False


class AttemptForm(_Form):
    problem: str = ""
    tried: str = ""
    bottleneck: str = ""
    evidence: str = ""


class ReadForm(_Form):
    note: str = ""
    unblocked: Literal["yes"] | None = None


class CloseForm(_Form):
    outcome: str = ""  # triage.gate names the accepted outcomes when it refuses one
    note: str = ""


class LoginForm(_Form):
    password: str = ""
    next: str = ""


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data) -> M:
    """`data` as a `model`, or a UserError whose sentence names the first field at fault."""
    if not isinstance(data, dict):
        kind = "null" if data is None else type(data).__name__
        raise UserError(f"Send a JSON object (with {', '.join(model.model_fields)}), not {kind}.")
    try:
        return model.model_validate(data, context={"max_chars": current_app.config["MAX_FIELD_CHARS"]})
    except ValidationError as e:
        raise UserError(_sentence(model, e.errors()[0])) from None


def _sentence(model: type[BaseModel], err: dict) -> str:
    field = ".".join(str(p) for p in err["loc"]) or "body"
    name = LABELS.get(field, field)
    kind = err["type"]
    if kind in ("too_long", "not_utf8"):
        return err["msg"]
    if kind == "missing":
        return f"The field {field!r} is missing."
    if kind == "extra_forbidden":
        return f"Unknown field {field!r}: the fields are {', '.join(model.model_fields)}."
    if kind == "string_type":
        return f"The {name} must be a string."
    if kind == "bool_type":
        return f"The {name} must be true or false."
    if kind == "literal_error":
        return f"The {name} is not one of the accepted values: {err['msg'].removeprefix('Input should be ')}."
    return f"The {name} is refused: {err['msg']}."


def json_body(model: type[M]) -> M:
    """The request's JSON body as `model`; an empty body counts as {} (every key then takes its default)."""
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413 before reading it
    # A form-encoded body reads as b"" here (the CSRF check parsed it already): the type tells.
    if not request.is_json and (request.mimetype or raw.strip()):
        raise UserError("Send the body as JSON, with Content-Type: application/json.")
    if not raw.strip():
        return parse(model, {})
    try:
        data = json.loads(raw)
    except RecursionError:
        raise UserError("The JSON body nests too deeply.") from None
    except ValueError as e:
        raise UserError(f"The body is not valid JSON ({e}).") from None
    return parse(model, data)


def form_body(model: type[M]) -> M:
    """The posted form as `model` (first value of each field)."""
    return parse(model, request.form.to_dict())
