"""In-process vLLM engines: built from the settings, one per model and process, reused across runs."""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Iterator, Sequence

from forecaster.llm.scorer import NextTokenQuery
from forecaster.model_prep import ensure_model
from forecaster.settings import Settings

log = logging.getLogger(__name__)

# vLLM caps `logprob_token_ids` per request (MAX_LOGPROB_TOKEN_IDS); larger sets are split.
MAX_IDS_PER_REQUEST = 128
DEFAULT_BLOCK_SIZE = 16


def engine_kwargs(settings: Settings, model_key: str) -> dict[str, Any]:
    """Keyword arguments for ``vllm.LLM`` from the settings (the model converted first if needed)."""
    spec = settings.models[model_key]
    v = settings.vllm
    kwargs: dict[str, Any] = dict(
        model=ensure_model(spec),
        tensor_parallel_size=v.tensor_parallel_size,
        pipeline_parallel_size=v.pipeline_parallel_size,
        distributed_executor_backend=v.distributed_executor_backend,
        gpu_memory_utilization=v.gpu_memory_utilization,
        dtype=v.dtype,
        enforce_eager=v.enforce_eager,
        enable_prefix_caching=v.enable_prefix_caching,
        load_format=v.load_format,
        seed=v.seed,
        # Our own console shows the run's progress; vLLM's loading bar would tear it.
        use_tqdm_on_load=False,
    )
    optional = {
        "tokenizer": spec.tokenizer,
        "max_model_len": v.max_model_len,
        "block_size": v.block_size,
        "max_num_seqs": v.max_num_seqs,
        "model_loader_extra_config": v.model_loader_extra_config or None,
        # vLLM 0.32 replaced swap space with CPU offloading of the KV cache (GiB).
        "kv_offloading_size": v.swap_space_gb or None,
    }
    kwargs.update({k: val for k, val in optional.items() if val is not None})
    return kwargs


class VLLMScorer:
    """Reads next-token log-probabilities and writes text with an in-process ``vllm.LLM``."""

    def __init__(self, llm: Any, model_key: str) -> None:
        self.llm = llm
        self.model_key = model_key
        self.tokenizer = llm.get_tokenizer()
        cache_config = llm.llm_engine.vllm_config.cache_config
        self.block_size = int(cache_config.block_size or DEFAULT_BLOCK_SIZE)

    def next_token_logprobs(self, queries: Sequence[NextTokenQuery]) -> list[dict[int, float]]:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        split = [(i, q.prefix_ids, q.token_ids[s : s + MAX_IDS_PER_REQUEST])
                 for i, q in enumerate(queries) for s in range(0, len(q.token_ids), MAX_IDS_PER_REQUEST)]
        prompts = [TokensPrompt(prompt_token_ids=list(prefix)) for _, prefix, _ in split]
        params = [SamplingParams(max_tokens=1, temperature=0.0, logprob_token_ids=list(ids), detokenize=False)
                  for _, _, ids in split]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        results: list[dict[int, float]] = [{} for _ in queries]
        for (i, _, ids), out in zip(split, outputs):
            step = out.outputs[0].logprobs[0]
            results[i].update({t: float(step[t].logprob) for t in ids})
        return results

    def generate(self, prompt_ids: Sequence[int], max_tokens: int, temperature: float) -> str:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        params = SamplingParams(max_tokens=max_tokens, temperature=temperature, seed=0)
        out = self.llm.generate([TokensPrompt(prompt_token_ids=list(prompt_ids))], params, use_tqdm=False)
        return out[0].outputs[0].text


class EngineRegistry:
    """One engine per model key in this process: engines take a minute to start."""

    def __init__(self) -> None:
        self._scorers: dict[str, VLLMScorer] = {}

    def scorer(self, settings: Settings, model_key: str) -> VLLMScorer:
        """The scorer for `model_key`, starting its engine on first use."""
        if model_key not in self._scorers:
            self._scorers[model_key] = VLLMScorer(start_engine(settings, model_key), model_key)
        return self._scorers[model_key]

    def release(self, model_key: str) -> None:
        """Shut one engine down so the next model can have the devices."""
        scorer = self._scorers.pop(model_key, None)
        if scorer is not None:
            shutdown_engine(scorer.llm)

    def release_all(self) -> None:
        for key in list(self._scorers):
            self.release(key)

    @contextlib.contextmanager
    def releasing_new(self) -> Iterator[None]:
        """Shut down, on leaving the block, the engines started inside it (a caller keeps its own)."""
        before = set(self._scorers)
        try:
            yield
        finally:
            for key in set(self._scorers) - before:
                self.release(key)


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


def shutdown_engine(llm: Any) -> None:
    """Stop the engine core processes now rather than at interpreter exit."""
    core = getattr(llm.llm_engine, "engine_core", None)
    if core is not None and hasattr(core, "shutdown"):
        core.shutdown()


ENGINES = EngineRegistry()
