"""Questions about a number: the series behind a question, fetched as of its due date, forecast, and read as P(higher).

`ref` (a question's `series: {source, id}`), the sources (`fred`, `dbnomics`, `yahoo`, `user_file`, over `http`),
`observations` (the as-of cut and the calendar), `cache` (fetched series by source, id and as-of), `model`
(AutoETS or Chronos-2 quantiles), `probability` (P(value > reference) from the quantiles), `member` (the `series`
member of one question), `store` (its quantiles), `plots` (history, fan, reference line).
"""
