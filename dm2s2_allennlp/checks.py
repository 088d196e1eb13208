"""Range checks of numeric options, shared by readers, encoders, heads and models: a value outside its range is a
``ConfigurationError`` that names the option, the value and the allowed range, at construction (never a silently
emptied modality or a sign-flipped loss later)."""
from typing import Optional, Union

from allennlp.common.checks import ConfigurationError

Number = Union[int, float]


def in_range(option: str, value: Number, low: Optional[Number] = None, high: Optional[Number] = None,
             low_open: bool = False, high_open: bool = False) -> Number:
    """``value`` if ``low <=`` (``<`` when ``low_open``) ``value <=`` (``<``) ``high``; else the error."""
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        bounds = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ConfigurationError(f"`{option}` must be a number in {bounds}, got {value!r}")
    return value
