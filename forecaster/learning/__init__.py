"""Learning from resolved rounds: per-(source, horizon) priors, a combiner of members in log-odds space fitted on
past rounds, and its rolling-origin backtest. Plain Python (numpy/scipy), no Prefect."""
