"""Time-series forecasting with Chronos-2: load and validate series, forecast, store, plot, backtest."""
