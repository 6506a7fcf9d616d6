"""Neural architecture search for ECG arrhythmia classification."""

__version__ = "0.1.0"
