"""In-process vLLM engines: built from the settings, one per model and process, reused across runs."""

from __future__ import annotations

import logging
import time
from typing import Any, Sequence

from forecaster.llm.scorer import DEFAULT_BLOCK_SIZE, MAX_IDS_PER_REQUEST, NextTokenQuery
from forecaster.llm.engine_options import as_kwargs, engine_options
from forecaster.llm.liveness import EngineDied, EngineWatch
from forecaster.settings import Settings

log = logging.getLogger(__name__)


def engine_kwargs(settings: Settings, model_key: str) -> dict[str, Any]:
    """Keyword arguments for ``vllm.LLM`` from the settings (the model converted first if needed)."""
    # Our own console shows the run's progress; vLLM's loading bar would tear it.
    return {**as_kwargs(engine_options(settings, model_key)), "use_tqdm_on_load": False}


class VLLMScorer:
    """Reads next-token log-probabilities and writes text with an in-process ``vllm.LLM``.

    Every call is watched: a process of the engine that dies makes it raise `EngineDied` within a second,
    and what is left of the engine is killed then (the pool starts a new one on the next use).
    """

    def __init__(self, llm: Any, model_key: str) -> None:
        self.llm = llm
        self.model_key = model_key
        self.watch = EngineWatch(llm)
        self.tokenizer = llm.get_tokenizer()
        cache_config = llm.llm_engine.vllm_config.cache_config
        self.block_size = int(cache_config.block_size or DEFAULT_BLOCK_SIZE)
        self.max_model_len = int(llm.llm_engine.vllm_config.model_config.max_model_len)

    def next_token_logprobs(self, queries: Sequence[NextTokenQuery]) -> list[dict[int, float]]:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        split = [(i, q.prefix_ids, q.token_ids[s : s + MAX_IDS_PER_REQUEST])
                 for i, q in enumerate(queries) for s in range(0, len(q.token_ids), MAX_IDS_PER_REQUEST)]
        prompts = [TokensPrompt(prompt_token_ids=list(prefix)) for _, prefix, _ in split]
        params = [SamplingParams(max_tokens=1, temperature=0.0, logprob_token_ids=list(ids), detokenize=False)
                  for _, _, ids in split]
        outputs = self._generate(prompts, params)
        results: list[dict[int, float]] = [{} for _ in queries]
        for (i, _, ids), out in zip(split, outputs):
            step = out.outputs[0].logprobs[0]
            results[i].update({t: float(step[t].logprob) for t in ids})
        return results

    def _generate(self, prompts: list[Any], params: Any) -> list[Any]:
        try:
            return self.watch.call(lambda: self.llm.generate(prompts, params, use_tqdm=False))
        except EngineDied as exc:
            log.warning("engine for %s died (%s); it is discarded and the next attempt starts a new one",
                        self.model_key, exc)
            self.watch.tear_down()
            raise

    def alive(self) -> bool:
        """False once a process of the engine has died or vLLM marked it dead (it then fails every request)."""
        return self.watch.death() is None

    def discard(self) -> None:
        """Kill what is left of a dead engine and close vLLM's client to it."""
        self.watch.tear_down()

    def shutdown(self) -> None:
        """Stop the engine's processes now rather than at interpreter exit."""
        shutdown_engine(self.llm)
        self.watch.stop_reaper()

    def generate(self, prompt_ids: Sequence[int], max_tokens: int, temperature: float) -> str:
        return self.generate_many([prompt_ids], max_tokens, temperature)[0]

    def generate_many(self, prompts: Sequence[Sequence[int]], max_tokens: int, temperature: float) -> list[str]:
        """Sampled text for each prompt, in one engine call."""
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        params = SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=0)
        outs = self._generate([TokensPrompt(prompt_token_ids=list(p)) for p in prompts], params)
        return [out.outputs[0].text for out in outs]


def import_engine_library() -> None:
    """Import vLLM's engine in the calling thread (what `start_engine` would otherwise import first)."""
    from vllm import LLM  # noqa: F401 - `import vllm` alone is lazy and imports almost nothing


def start_engine(settings: Settings, model_key: str) -> Any:
    """Start a ``vllm.LLM`` for one configured model."""
    from vllm import LLM

    kwargs = engine_kwargs(settings, model_key)
    log.info("starting vLLM engine for %s (%s, dtype=%s, eager=%s)", model_key, kwargs["model"],
             kwargs["dtype"], kwargs["enforce_eager"])
    started = time.perf_counter()
    llm = LLM(**kwargs)
    log.info("engine for %s ready in %.1f s", model_key, time.perf_counter() - started)
    return llm


# How long the engine core may take to stop once asked, before vLLM kills it and its workers: its own exit takes
# longer than vLLM's default 5 s here (its model worker's exit alone about 4 s), so every release waited the whole
# 5 s and then killed it anyway. Nothing of an inference engine's state is kept.
SHUTDOWN_GRACE_S = 1.0


def shutdown_engine(llm: Any) -> None:
    """Stop the engine core processes now rather than at interpreter exit."""
    core = getattr(llm.llm_engine, "engine_core", None)
    if core is not None and hasattr(core, "shutdown"):
        core.shutdown(timeout=SHUTDOWN_GRACE_S)

