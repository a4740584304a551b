"""Scores that depend only on fixed data and deterministic fits, measured once."""

# statsforecast 2.x on AirPassengers, 1960 held out (12 months), season 12: MAPE in percent.
BASELINE_MAPE_1960 = {"SeasonalNaive": 9.9875, "AutoETS": 7.2068, "AutoARIMA": 4.1797}
