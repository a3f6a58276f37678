"""A JSON Schema for workout and exercise files, for editors that autocomplete YAML."""

from __future__ import annotations

from typing import Any

from voicecoach.files.fields import (
    CIRCUIT_KEYS,
    DURATION,
    EXERCISE_BLOCK_KEYS,
    EXERCISE_KEYS,
    PLAN_KEYS,
    WORKOUT_KEYS,
    Schema,
)

SCHEMA_ID = "https://voicecoach.invalid/schema/voicecoach.files.schema.json"


def _object(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    out: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def json_schema() -> dict[str, Any]:
    """One schema accepting a workout file, an exercise file, or a list of exercises."""
    exercise = _object(EXERCISE_KEYS, ["id", "name"])
    exercise_block = _object(EXERCISE_BLOCK_KEYS, ["exercise"])
    say = _object({"say": {"type": "string", "description": "A free prompt"}}, ["say"])
    rest = _object({"rest": {**DURATION, "description": "A free rest, counted down"}}, ["rest"])
    simple_block: Schema = {"anyOf": [{"$ref": "#/$defs/exercise_block"}, say, rest]}
    circuit_body = _object(
        {**CIRCUIT_KEYS, "blocks": {"type": "array", "items": simple_block}}, ["blocks"]
    )
    circuit = _object({"circuit": circuit_body}, ["circuit"])
    workout = _object(
        {
            **WORKOUT_KEYS,
            "exercises": {"type": "array", "items": {"$ref": "#/$defs/exercise"}},
            "blocks": {
                "type": "array",
                "minItems": 1,
                "items": {"anyOf": [{"$ref": "#/$defs/exercise_block"}, say, rest, circuit]},
            },
        },
        ["title", "blocks"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "voicecoach workout, exercise or plan file",
        "$defs": {
            "exercise": exercise,
            "exercise_block": exercise_block,
            "workout": workout,
            "plan": _object(PLAN_KEYS, ["week"]),
        },
        "anyOf": [
            {"$ref": "#/$defs/workout"},
            {"$ref": "#/$defs/plan"},
            {"$ref": "#/$defs/exercise"},
            _object(
                {"exercises": {"type": "array", "items": {"$ref": "#/$defs/exercise"}}},
                ["exercises"],
            ),
        ],
    }
