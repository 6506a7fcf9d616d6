"""End-to-end jobs built from the lower layers: the ECG search, baselines, reports, export."""
