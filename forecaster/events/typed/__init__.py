"""Questions that are not yes/no: multiple choice, numeric, discrete and date.

fields (the record's typed fields, checked at the door) -> scale (positions 0..1 on the question's axis) ->
ladder (the thresholds a CDF is read at) -> cdf (monotone, interpolated, made to fit the server's rules) and
choice (option vectors) -> pooling (the ensemble of CDFs and option vectors) -> values (what an agent returns).
"""
