"""AAMI heartbeat classes and the MIT-BIH annotation symbols that map to them.

The grouping follows ANSI/AAMI EC57 as used by de Chazal et al. (2004),
"Automatic classification of heartbeats using ECG morphology and heartbeat
interval features", IEEE Trans. Biomed. Eng. 51(7):1196-1206.
"""

AAMI_CLASSES: tuple[str, ...] = ("N", "S", "V", "F", "Q")
"""Class names in label order: label ``i`` is ``AAMI_CLASSES[i]``."""

SYMBOL_TO_CLASS: dict[str, str] = {
    # N: normal, left and right bundle branch block, atrial and nodal escape beats
    "N": "N", "L": "N", "R": "N", "e": "N", "j": "N",
    # S: supraventricular ectopic beats
    "A": "S", "a": "S", "J": "S", "S": "S",
    # V: ventricular ectopic beats
    "V": "V", "E": "V",
    # F: fusion of ventricular and normal beats
    "F": "F",
    # Q: paced, fusion of paced and normal, unclassifiable
    "/": "Q", "f": "Q", "Q": "Q",
}  # fmt: skip

NON_BEAT_SYMBOLS: frozenset[str] = frozenset(
    # Rhythm and signal-quality changes, comments, flutter waves, non-conducted
    # P waves, isolated QRS-like artefacts, VF onset and end, and the other
    # non-beat codes of the WFDB annotation table (wfdb.io.annotation.ann_label_table).
    ["+", "~", '"', "!", "x", "|", "[", "]", "p", "t", "u", "`", "'", "^", "@", "=", "s", "T", "*", "D"]
)
"""Annotation symbols that do not mark a beat; segmentation skips them silently."""

CLASS_INDEX: dict[str, int] = {name: index for index, name in enumerate(AAMI_CLASSES)}


def symbol_label(symbol: str) -> int | None:
    """Return the AAMI label index of a beat symbol, or ``None`` if it has no AAMI class."""
    aami_class = SYMBOL_TO_CLASS.get(symbol)
    return None if aami_class is None else CLASS_INDEX[aami_class]
