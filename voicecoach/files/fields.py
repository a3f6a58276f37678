"""The keys of each kind of mapping in the file format, described once.

The loader takes its lists of allowed keys from here (for "unknown key" and
"did you mean"), and ``voicecoach schema`` builds its JSON Schema from the
same tables, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from voicecoach.model import PROGRESS_MODES, RUN_KINDS, WEEKDAYS

Schema = dict[str, Any]

DURATION: Schema = {
    "description": "Seconds (45, 2.5) or text like 45s, 1m30s, 2m",
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "string", "pattern": r"^\s*(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?\s*$"},
    ],
}
TEMPO: Schema = {
    "description": "Seconds of each phase: lower-bottom pause-lift-top pause, like 3-1-1-0; "
    "the lift may be X (explosive)",
    "type": "string",
    "pattern": r"^\s*\d+(\.\d+)?-\d+(\.\d+)?-(\d+(\.\d+)?|[xX])-\d+(\.\d+)?\s*$",
}
REP_RANGE: Schema = {
    "description": "A number of reps (8) or a range (6-12)",
    "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^\d+(-\d+)?$"}],
}
TEXT_LIST: Schema = {"type": "array", "items": {"type": "string"}}
COUNT: Schema = {
    "description": "What is counted aloud in a set: tempo (phases, seconds and rep numbers), "
    "reps (phase names and rep numbers) or quiet (start and end only)",
    "enum": ["tempo", "reps", "quiet"],
}

STEP_KEYS: dict[str, Schema] = {
    "say": {"type": "string", "description": "Spoken at the start of the step"},
    "hold": {**DURATION, "description": "How long the step lasts"},
}

PHASE_KEYS: dict[str, Schema] = {
    "lower": {"type": "string", "description": "Default: Down"},
    "bottom": {"type": "string", "description": "Default: Hold"},
    "lift": {"type": "string", "description": "Default: Up"},
    "top": {"type": "string", "description": "Default: Hold"},
}

EXERCISE_KEYS: dict[str, Schema] = {
    "id": {
        "type": "string",
        "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
        "description": "Unique, lowercase-dashed",
    },
    "name": {"type": "string", "description": "Spoken name"},
    "about": {"type": "string", "description": "What the exercise is for (not spoken)"},
    "source": {"type": "string", "description": "Where the exercise comes from"},
    "category": {"type": "string", "description": "strength, stretching, mobility..."},
    "muscles": TEXT_LIST,
    "equipment": {**TEXT_LIST, "description": "Announced before the workout starts"},
    "sides": {
        "enum": ["none", "each", "alternate"],
        "description": "each: all reps on one side, then the other; "
        "alternate: sides swap every rep",
    },
    "first_side": {"enum": ["right", "left"]},
    "limb": {
        "type": "string",
        "description": "The word for a side: leg, arm, hand, side (default side)",
    },
    "reps": REP_RANGE,
    "tempo": TEMPO,
    "phases": {
        "type": "object",
        "properties": PHASE_KEYS,
        "additionalProperties": False,
        "description": "Words for the four tempo phases; may use {side}",
    },
    "rep": {
        "type": "array",
        "description": "An explicit rep cycle instead of tempo/phases",
        "items": {
            "type": "object",
            "properties": STEP_KEYS,
            "required": ["say", "hold"],
            "additionalProperties": False,
        },
    },
    "hold": {**DURATION, "description": "A timed hold per set instead of reps"},
    "setup": {**TEXT_LIST, "description": "Spoken before the first set; may use {side}/{other}"},
    "cues": {**TEXT_LIST, "description": "Short reminders spoken during sets"},
    "caution": {"type": "string", "description": "Spoken when the exercise is introduced"},
    "variants": {**TEXT_LIST, "description": "Harder or easier versions (not spoken)"},
    "avoid_day_before": {
        "type": "array",
        "items": {"enum": list(RUN_KINDS)},
        "description": "Run kinds this exercise should not come the day before: the plan warns",
    },
}

BLOCK_SETTING_KEYS: dict[str, Schema] = {
    "sets": {"type": "integer", "minimum": 1, "maximum": 50, "description": "Default 1"},
    "reps": {
        **REP_RANGE,
        "description": "Per side: a number (8), or a range (6-12) to progress through",
    },
    "hold": {**DURATION, "description": "Overrides the exercise's hold"},
    "tempo": TEMPO,
    "rest": {**DURATION, "description": "After each set"},
    "side_rest": {**DURATION, "description": "Between the two sides of a set"},
    "count": COUNT,
}

EXERCISE_BLOCK_KEYS: dict[str, Schema] = {
    "exercise": {"type": "string", "description": "An exercise id"},
    **BLOCK_SETTING_KEYS,
    "progress": {
        "enum": list(PROGRESS_MODES),
        "description": "reps (the default for a range): a rep more per set after each session "
        "finished in full; none: always the bottom of the range",
    },
}

CIRCUIT_KEYS: dict[str, Schema] = {
    "rounds": {"type": "integer", "minimum": 1, "maximum": 50},
    "rest": {**DURATION, "description": "Between rounds"},
    "blocks": {"type": "array"},
}

ENGINE_NAMES = ("pyttsx3", "piper")
"""The voice engines a file can name; ``voicecoach.voices`` opens them."""

VOICE_KEYS: dict[str, Schema] = {
    "engine": {"type": "string", "description": "pyttsx3 (system voices) or piper"},
    "voice": {"type": "string", "description": "A voice id from `voicecoach voices`"},
    "rate": {"type": "integer", "minimum": 60, "maximum": 400, "description": "Words per minute"},
}

MUSIC: Schema = {
    "type": "string",
    "description": "Music under the voice: an audio file, a folder of them (played in name "
    "order) or an .m3u/.m3u8 playlist; a path relative to this file",
}

WORKOUT_KEYS: dict[str, Schema] = {
    "title": {"type": "string", "description": "Spoken in the intro"},
    "about": {"type": "string", "description": "Spoken after the title"},
    "library": {**TEXT_LIST, "description": "Extra exercise folders, relative to this file"},
    "exercises": {"type": "array", "description": "One-off exercises, same form as exercise files"},
    "defaults": {
        "type": "object",
        "properties": BLOCK_SETTING_KEYS,
        "additionalProperties": False,
    },
    "voice": {"type": "object", "properties": VOICE_KEYS, "additionalProperties": False},
    "music": MUSIC,
    "blocks": {"type": "array"},
}

BLOCK_KINDS = ("exercise", "say", "rest", "circuit")

RUN_KEYS: dict[str, Schema] = {
    "run": {
        "enum": list(RUN_KINDS),
        "description": "The kind of run: exercises can avoid the day before some kinds",
    },
}

DAY: Schema = {
    "description": "A workout name or path, `rest`, or a run like {run: long}",
    "anyOf": [
        {"type": "string"},
        {"type": "null"},
        {
            "type": "object",
            "properties": RUN_KEYS,
            "required": ["run"],
            "additionalProperties": False,
        },
    ],
}

PLAN_KEYS: dict[str, Schema] = {
    "title": {"type": "string", "description": "The plan's name"},
    "week": {
        "type": "object",
        "description": "Any of monday ... sunday; a day not named is a rest day",
        "properties": {day: DAY for day in WEEKDAYS},
        "additionalProperties": False,
    },
}
