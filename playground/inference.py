"""Fast CPU inference for the registry's shared models, hidden behind ``registry.get``.

Policy (what a newcomer needs to know):

- **Who gets it.** Only the shared, frozen models of ``registry.get``, and only on the CPU.
  ``registry.create`` copies (live training) and every model on a GPU stay eager PyTorch.
- **What it looks like.** ``registry.get`` still returns the eager ``nn.Module``: every
  attribute, submodule, parameter and method works as before (Grad-CAM differentiates
  through ``classify_map``, Gatys back-propagates through ``forward_features``). Only the methods a
  catalog entry names in ``meta["inference"]`` (a ``FastPaths``) are replaced *on that
  instance* by a ``FastMethod``, e.g. ``forward``, ``pooled_features`` or
  ``generator.forward``.
- **When the fast engine answers.** A ``FastMethod`` hands a call to onnxruntime when it
  can: no gradient is wanted, the tensors are on the CPU, the other arguments are plain
  options (None, bool, int, float, str) with the values of one of the catalog's examples
  (each variant's session costs memory: ~45 MB for the whole of Lite0), and the result is
  a tensor, or a tuple, list or dict of tensors. Anything else (autograd, a
  ``torch.Generator`` for dropout noise, other option values such as Gatys' ``keep=True``)
  runs the eager method, unchanged.
  Lite0's ``forward`` is not replaced at all: it runs the fast ``pooled_features`` and
  then the eager linear layer, so one session serves the classifier and transfer learning.
- **Looking inside needs eager.** A served call runs none of the network's modules, so forward
  hooks on them see nothing (PyTorch has no public way to ask whether a module holds hooks).
  Code that looks inside with hooks does it on its own copy (``registry.create``, or a fresh
  network, as the CNN lab counts multiply-accumulates) or inside ``eager_only()``.
- **Variants.** One ONNX graph per (options, input dtypes and ranks, the model's shape
  key), exported with every dimension dynamic, so batch sizes and image sizes share it.
  A network whose Python code depends on its input's size says so with ``shape_key``
  (Lite0's TensorFlow "SAME" padding depends on the parity of each stride-2 input).
- **Lazily, never at start-up.** A variant is built on its first call, or when
  ``registry.get`` loads a model for an example marked ``warm``: ``torch.onnx.export``
  into a cache folder outside the repository (``PLAYGROUND_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/playground/onnx``, else ``~/.cache/playground/onnx``), named by a sha256
  of the weight card, the network's source file, the variant and the torch version. A
  later process only loads the file (~0.1–0.2 s for Lite0 instead of a ~2 s export).
  Built synchronously, so that one process always answers a given call with the same engine
  (a seeded sample is the same picture every time).
- **Trust, but verify.** The first call of every new input shape runs both engines; the
  variant serves that shape only if they agree within float tolerance, else the shape runs
  eager for good (with a log line). A stale cache file or a size-dependent graph can
  therefore never reach a visitor.
- **Never an error for the visitor.** onnxruntime missing, an export error, a session
  error: one log line, and that variant runs eager from then on.
- **Threads and memory.** Sessions use ``playground.device.cpu_threads()`` intra-op threads
  (1 on a 2-core host) and no spinning; ``InferenceSession.run`` is thread-safe, so one session
  per variant serves every request. All sessions share one onnxruntime arena.
- **Cheap calls.** A served call made of positional tensors (``model(x)``) is remembered by
  its dtypes and shapes (a lane) and goes straight to its session next time: 7.5–17 µs less
  per call on the digit networks (14–20 % of their 35–95 µs), measured alternating 2026-12-07.
- **Public APIs only.** Nothing here reads a private attribute of torch or onnxruntime
  (``tests/test_house.py`` checks every module).

Which engine, per model (``FastPaths.backend``): measured 2026-12-01 on a 2-core host, 1 thread,
eager PyTorch took 1.0–1.2× onnxruntime's time on the digit autoencoders' decoders, 1.1–1.7× on
the other autoencoder paths, 1.3–1.4× on the photo denoiser and the DCGANs, 1.5× on the AdaIN
decoder, 1.6–3.1× on EfficientNet-Lite0's entry points, 2.7–7.7× on the digit CNNs and 3× on
pix2pix: onnxruntime won everywhere, so every shipped network uses it. (Frozen TorchScript and
channels-last measured slower than onnxruntime on Lite0, see DESIGN.md §5; torch.compile costs
seconds per graph on first use.)

Switches: ``PLAYGROUND_INFERENCE=eager`` keeps every model eager; ``PLAYGROUND_WITHOUT=onnxruntime``
behaves as if onnxruntime were not installed (the tests of the fallback use it).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import inspect
import logging
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Hashable

import torch
from torch import nn

from playground.device import cpu_threads

log = logging.getLogger(__name__)

EXPORT_VERSION = "1"  # bump when the export recipe changes: old cache files are then ignored
OPSET = 17
PLAIN_OPTIONS = (type(None), bool, int, float, str)


# ---------------------------------------------------------------- what the catalog declares


@dataclass(frozen=True)
class Example:
    """One typical call of an entry point, for the tests (fast == eager) and the benchmark."""

    method: str  # "forward", "pooled_features", "generator.forward", …
    inputs: Callable[[], tuple[torch.Tensor, ...]]  # the tensor arguments, seeded
    options: dict[str, Any] = field(default_factory=dict)  # the non-tensor keyword arguments
    label: str = ""  # e.g. "one 224 px photo"
    warm: bool = False  # build this variant when registry.get loads the model


@dataclass(frozen=True)
class FastPaths:
    """A catalog entry's ``meta["inference"]``: which methods to serve fast, and how."""

    examples: tuple[Example, ...]
    # (tensor arguments) → a hashable key; inputs with equal keys can share one graph.
    shape_key: Callable[[tuple[torch.Tensor, ...]], Hashable] | None = None
    backend: str = "onnxruntime"  # the engine that measured fastest here: "onnxruntime" or "eager"

    @property
    def methods(self) -> list[str]:
        return list(dict.fromkeys(example.method for example in self.examples))


def seeded(*shapes: tuple[int, ...], seed: int = 0, low: float = 0.0, high: float = 1.0) -> Callable[[], tuple]:
    """An ``Example.inputs`` of uniform tensors of ``shapes`` in [low, high), always the same."""

    def make() -> tuple[torch.Tensor, ...]:
        generator = torch.Generator().manual_seed(seed)
        return tuple(low + (high - low) * torch.rand(shape, generator=generator) for shape in shapes)

    return make


# ---------------------------------------------------------------- switches and the engine


def mode() -> str:
    value = os.environ.get("PLAYGROUND_INFERENCE", "auto").strip().lower() or "auto"
    if value not in ("auto", "eager"):
        raise ValueError(f"PLAYGROUND_INFERENCE={value!r}; choose 'auto' or 'eager'")
    return value


def onnxruntime():
    """The onnxruntime module, or ImportError (also when PLAYGROUND_WITHOUT names it)."""
    hidden = {name.strip() for name in os.environ.get("PLAYGROUND_WITHOUT", "").split(",")}
    if "onnxruntime" in hidden:
        raise ImportError("onnxruntime is hidden by PLAYGROUND_WITHOUT")
    return importlib.import_module("onnxruntime")


def cache_dir() -> Path:
    explicit = os.environ.get("PLAYGROUND_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "playground" / "onnx"


# The shared arena: one region of ARENA_FIRST_REGION bytes, grown by doubling (strategy 0) if a crowd ever needs
# more. The region is only reserved: the kernel makes a page resident when a tensor first writes to it, so the
# arena costs what its best-fit placement of tensors touches, not its size. Many regions of exactly the requested
# size (strategy 1, no first region) fragment: measured 2026-12-02, one AdaIN decode at 512x344 left 204 MB
# resident that way and 84 MB this way (its true peak; same speed). python -m playground.tour (every tab once),
# server peak: 1,409–1,474 MB this way (4 tours), 1,482–1,597 MB before (5 tours), 1,296 MB with no onnxruntime
# at all (PLAYGROUND_INFERENCE=eager).
# Why keep an arena at all: sessions without one (enable_cpu_mem_arena=False: every tensor through malloc) peaked
# at 1,338–1,391 MB, but made the AdaIN encoder 1.93× and its decoder 1.23× slower (fresh pages for every large map
# on every call). Per-session arenas shrunk after each run (memory.enable_memory_arena_shrinkage) were nearly as
# slow (1.57×, 1.20×); shrinking does nothing to a shared arena. Style transfer's speed is worth more than ~100 MB
# of a Space's 16 GB.
ARENA_EXTEND_STRATEGY = 0  # next power of two
ARENA_FIRST_REGION = 256 * 2**20
_shared_arena = {"registered": None}  # one CPU arena for every session, registered on first use
_shared_arena_lock = threading.Lock()


def _use_shared_arena(ort) -> bool:
    """Register one process-wide CPU arena: sessions then share their working memory instead
    of each keeping its own peak (measured: ~100 MB less with the catalog's sessions loaded)."""
    with _shared_arena_lock:
        if _shared_arena["registered"] is None:
            try:
                info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
                config = ort.OrtArenaCfg(0, ARENA_EXTEND_STRATEGY, ARENA_FIRST_REGION, -1)  # max, growth, first, split
                ort.create_and_register_allocator(info, config)
                _shared_arena["registered"] = True
            except Exception as error:  # noqa: BLE001 - an older onnxruntime: one arena per session
                log.info("no shared onnxruntime arena (%s)", error)
                _shared_arena["registered"] = False
        return _shared_arena["registered"]


def session_options():
    ort = onnxruntime()
    options = ort.SessionOptions()
    if _use_shared_arena(ort):
        options.add_session_config_entry("session.use_env_allocators", "1")
    options.intra_op_num_threads = cpu_threads()  # the same policy as PyTorch's (playground.device)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_mem_pattern = False  # inputs vary in size: a planned block per shape only costs memory
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # idle threads sleep: the host is shared
    options.log_severity_level = 3  # errors only
    return options


def load_session(path: Path):
    return onnxruntime().InferenceSession(str(path), session_options(), providers=["CPUExecutionProvider"])


class _PerThread(threading.local):
    eager = 0  # > 0 while an eager method runs (its inner calls stay eager too)


_local = _PerThread()


@contextlib.contextmanager
def eager_only():
    """Inside this block every FastMethod runs the eager PyTorch method (the tests' reference, and the way
    to look inside a shared model with forward hooks: a served call runs none of its modules)."""
    _local.eager += 1
    try:
        yield
    finally:
        _local.eager -= 1


def _must_run_eager() -> bool:
    # Inside eager_only(), or while torch.jit.trace / torch.onnx.export traces (the exporter
    # traces through these very methods), or while torch.compile traces.
    return _local.eager > 0 or torch.jit.is_tracing() or torch.compiler.is_compiling()


# ---------------------------------------------------------------- results as flat tuples


def _flatten(result) -> tuple[tuple[torch.Tensor, ...], Any] | None:
    """(tensors, structure) of a tensor / tuple / list / dict of tensors; None for anything else."""
    if isinstance(result, torch.Tensor):
        return (result,), "tensor"
    if isinstance(result, (tuple, list)) and result and all(isinstance(t, torch.Tensor) for t in result):
        return tuple(result), (type(result).__name__, len(result))
    if isinstance(result, dict) and result and all(isinstance(t, torch.Tensor) for t in result.values()):
        return tuple(result.values()), ("dict", tuple(result))
    return None


def _unflatten(tensors: list[torch.Tensor], structure):
    if structure == "tensor":
        return tensors[0]
    kind, detail = structure
    if kind == "dict":
        return dict(zip(detail, tensors))
    return tuple(tensors) if kind == "tuple" else list(tensors)


def _close(expected: tuple[torch.Tensor, ...], got: tuple[torch.Tensor, ...]) -> bool:
    if len(expected) != len(got):
        return False
    for want, have in zip(expected, got):
        if want.shape != have.shape or want.dtype != have.dtype:
            return False
        if want.is_floating_point():
            scale = float(want.abs().max()) if want.numel() else 0.0
            if not torch.allclose(have, want, rtol=1e-3, atol=1e-4 * (1.0 + scale)):
                return False
        elif not torch.equal(have, want):
            return False
    return True


# ---------------------------------------------------------------- one method, served fast


@dataclass
class _Call:
    """A call split into its tensors (in signature order) and its options."""

    tensor_names: tuple[str, ...]
    tensors: tuple[torch.Tensor, ...]
    options: tuple[tuple[str, Any], ...]


class _Variant:
    def __init__(self) -> None:
        self.lock = threading.Lock()  # one thread builds; the others wait for it
        self.session = None
        self.failed = False
        self.structure: Any = None
        self.checked: dict[tuple, bool] = {}  # input shapes → did both engines agree?


class _Bound(nn.Module):
    """The eager method with its options fixed, tensors in, a flat tuple out: what gets exported."""

    def __init__(self, owner: nn.Module, method: str, call: _Call):
        super().__init__()
        self.owner = owner
        self.method = method
        self.call = call

    def forward(self, *tensors: torch.Tensor):
        function = getattr(type(self.owner), self.method)
        arguments = {**dict(zip(self.call.tensor_names, tensors)), **dict(self.call.options)}
        flat = _flatten(function(self.owner, **arguments))
        return flat[0]


class FastMethod:
    """Stands in for one method of one shared model (installed on the instance by ``accelerate``)."""

    def __init__(self, owner: nn.Module, method: str, model_name: str, paths: FastPaths, tag: str, path: str = ""):
        self.owner = owner
        self.method = method
        self.path = path or method  # "g_ab.forward": two submodules' "forward" are two graphs
        self.label = f"{model_name}:{self.path}"
        self.model_name = model_name
        self.shape_key = paths.shape_key
        self.tag = tag  # what the cache file names depend on besides the variant
        self.eager = getattr(type(owner), method).__get__(owner)  # the class's own method
        self.signature = inspect.signature(self.eager)
        self.__doc__ = self.eager.__doc__
        self.variants: dict[Hashable, _Variant] = {}
        self.lock = threading.Lock()  # guards self.variants
        self.last_engine = "none"  # "onnxruntime" or "eager": which engine answered the last call
        # (dtype, shape) of each positional tensor → (session, input names, structure) of a served call
        self.lanes: dict[tuple, tuple] = {}
        # Only the option values of the catalog's examples get sessions (each costs memory);
        # other calls, e.g. Gatys' forward_features(keep=True), stay eager.
        self.allowed_options = set()
        self.eager_options: set[tuple] = set()  # other option values seen, each logged once
        for example in paths.examples:
            if example.method == (path or method):
                plan = self._split(example.inputs(), dict(example.options))
                if plan is not None:
                    self.allowed_options.add(plan.options)

    def __repr__(self) -> str:
        return f"<FastMethod {self.label}: {len(self.variants)} variant(s)>"

    def __deepcopy__(self, memo):
        """A deep copy of the model (a visitor's own, to train) gets the plain eager method."""
        owner = copy.deepcopy(self.owner, memo)
        return getattr(type(owner), self.method).__get__(owner)

    # -- the call

    def __call__(self, *args, **kwargs):
        if not kwargs:  # the common calls, model(x) and generator(z, labels): a checked lane first
            outputs = self._run_lane(args)
            if outputs is not None:
                return outputs
        call = None if _must_run_eager() else self._split(args, kwargs)
        if call is None:
            return self._eager(args, kwargs)
        if call.options not in self.allowed_options:
            self._say_once_options_run_eager(call.options)
            return self._eager(args, kwargs)
        return self._serve(call, args, kwargs)

    def _run_lane(self, args: tuple):
        """A call of positional tensors whose dtypes and shapes were checked goes straight to its session, past
        _split, _key and the variant's bookkeeping (7.5-17 µs less per call of a 35-95 µs digit network, measured
        2026-12-07). None when this call is not one: the path through _split then decides."""
        if not all(type(a) is torch.Tensor for a in args):
            return None
        lane = self.lanes.get(tuple((a.dtype, a.shape) for a in args))
        if lane is None or _must_run_eager():
            return None
        session, names, structure = lane
        try:  # numpy() refuses tensors that could want gradients or live off the CPU: the path through _split decides
            outputs = session.run(None, {name: a.numpy() for name, a in zip(names, args)})
        except Exception:  # noqa: BLE001 - that path logs it
            return None
        self.last_engine = "onnxruntime"
        return _unflatten([torch.from_numpy(array) for array in outputs], structure)

    def _open_lane(self, call: _Call, args: tuple, kwargs: dict, variant: _Variant) -> None:
        """Remember a served call made of positional tensors only, by their dtypes and shapes."""
        if kwargs or len(call.tensors) != len(args) or any(a is not t for a, t in zip(args, call.tensors)):
            return
        if len(self.lanes) < 64:  # a bound: sizes keep changing for some models (photos of any size)
            self.lanes.setdefault(tuple((t.dtype, t.shape) for t in args),
                                  (variant.session, call.tensor_names, variant.structure))

    def _serve(self, call: _Call, args, kwargs):
        """onnxruntime's answer where the call's variant has a session that agrees with eager at these input
        shapes (built, and checked, on the first such call); else eager's."""
        key = self._key(call)
        with self.lock:
            variant = self.variants.setdefault(key, _Variant())
        expected = None  # the eager answer, once computed for this call
        if variant.session is None and not variant.failed:
            with variant.lock:
                if variant.session is None and not variant.failed:
                    expected = self._build(variant, key, call, args, kwargs)
        if variant.failed:
            return expected if expected is not None else self._eager(args, kwargs)
        shapes = tuple(t.shape for t in call.tensors)
        agreed = variant.checked.get(shapes)
        if agreed is False:
            return self._eager(args, kwargs)
        try:
            got = self._run(variant, call)
        except Exception as error:  # noqa: BLE001 - e.g. a shape the graph cannot take: eager answers
            got = None
            log.warning("%s: onnxruntime failed at input shapes %s (%s); that shape runs eager PyTorch",
                        self.label, shapes, str(error).splitlines()[0] if str(error) else type(error).__name__)
        if agreed is None:  # the first call of this shape: compare with eager once
            if expected is None:
                expected = self._eager(args, kwargs)
            flat = _flatten(expected)
            agreed = got is not None and flat is not None and _close(flat[0], got)
            variant.checked[shapes] = agreed
            if not agreed:
                if got is not None:
                    log.warning("%s: onnxruntime disagrees with eager at input shapes %s; that shape runs eager",
                                self.label, shapes)
                return expected
        elif got is None:
            variant.checked[shapes] = False
            return self._eager(args, kwargs)
        self.last_engine = "onnxruntime"
        self._open_lane(call, args, kwargs, variant)
        return _unflatten(got, variant.structure)

    def _say_once_options_run_eager(self, options: tuple) -> None:
        """One log line per option values no example of the catalog has (a tab calling with them
        runs eager every time: meant for Gatys' keep=True maps, a slow tab by mistake otherwise)."""
        if options not in self.eager_options and len(self.eager_options) < 64:  # a bound on the memory it takes
            self.eager_options.add(options)
            log.info("%s: no session for options %s (not a catalog example); such calls run eager PyTorch",
                     self.label, dict(options))

    def _eager(self, args, kwargs):
        self.last_engine = "eager"
        with eager_only():
            return self.eager(*args, **kwargs)

    def _split(self, args, kwargs) -> _Call | None:
        """The call's tensors and options, or None when it must run eager."""
        arguments = self._arguments(args, kwargs)
        if arguments is None:
            return None
        names, tensors, options = [], [], []
        for name, value in arguments.items():
            if isinstance(value, torch.Tensor):
                if value.device.type != "cpu" or (value.requires_grad and torch.is_grad_enabled()):
                    return None
                names.append(name)
                tensors.append(value)
            elif isinstance(value, PLAIN_OPTIONS):
                options.append((name, value))
            else:
                return None  # e.g. a torch.Generator: only eager knows what to do with it
        if not tensors:
            return None
        return _Call(tuple(names), tuple(tensors), tuple(options))

    def _arguments(self, args, kwargs) -> dict[str, Any] | None:
        """{parameter: value} in the signature's order, defaults filled in; None for a call the signature refuses
        (the eager method then raises its own error) or one with extra *args / **kwargs.

        The order is the signature's, never the keywords': g(x, skips=True, mirror=True) and
        g(x, mirror=True) must give the same options, or the call misses its variant and runs eager."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            return None
        bound.apply_defaults()
        arguments = bound.arguments
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        if any(self.signature.parameters[name].kind in variadic and value for name, value in arguments.items()):
            return None
        return {name: value for name, value in arguments.items()
                if self.signature.parameters[name].kind not in variadic}

    def _key(self, call: _Call) -> Hashable:
        kinds = tuple((name, t.dtype, t.dim()) for name, t in zip(call.tensor_names, call.tensors))
        extra = self.shape_key(call.tensors) if self.shape_key is not None else None
        return (call.options, kinds, extra)

    # -- building and running a variant

    def _build(self, variant: _Variant, key: Hashable, call: _Call, args, kwargs):
        """Export (or load) the variant's session; returns this call's eager answer."""
        expected = self._eager(args, kwargs)  # gives the output's structure, and the reference
        flat = _flatten(expected)
        if flat is None:
            variant.failed = True
            log.info("%s: returns %s, not tensors; such calls run eager PyTorch", self.label, type(expected).__name__)
            return expected
        variant.structure = flat[1]
        try:
            path = self.export(key, call, len(flat[0]))
            variant.session = load_session(path)
        except Exception as error:  # noqa: BLE001 - ImportError, export or session errors alike
            variant.failed = True
            log.warning("%s: no onnxruntime session (%s: %s); running eager PyTorch",
                        self.label, type(error).__name__, str(error).splitlines()[0] if str(error) else "")
        return expected

    def cache_path(self, key: Hashable) -> Path:
        """<model>.<version>.<method>.<variant>.onnx; <version> covers weights, source and torch."""
        version = hashlib.sha256(repr((self.tag, torch.__version__, EXPORT_VERSION, OPSET)).encode()).hexdigest()
        variant = hashlib.sha256(repr((self.path, key)).encode()).hexdigest()  # the path: g_ab and g_ba differ
        return cache_dir() / f"{self.model_name}.{version[:12]}.{self.method}.{variant[:16]}.onnx"

    def _remove_stale(self, current: Path) -> None:
        """Delete this model's files of other versions (old weights, old source, old torch)."""
        version = current.name.split(".")[1]
        for old in current.parent.glob(f"{self.model_name}.*.onnx"):
            parts = old.name.split(".")
            if parts[0] == self.model_name and len(parts) == 5 and parts[1] != version:
                old.unlink(missing_ok=True)

    def export(self, key: Hashable, call: _Call, outputs: int) -> Path:
        """The variant's ONNX file, exported now unless the cache already has it."""
        path = self.cache_path(key)
        if path.exists():
            return path
        onnxruntime()  # fail early (and cheaply) when there is no engine to export for
        path.parent.mkdir(parents=True, exist_ok=True)
        output_names = [f"out{i}" for i in range(outputs)]
        dynamic = {name: dict(enumerate(f"{name}_{d}" for d in range(t.dim())))
                   for name, t in zip(call.tensor_names, call.tensors)}
        # Written under a name of this process and thread, then renamed: replicas (processes) that export the
        # same file at once each write their own, and the rename is atomic: no one ever reads half a file.
        temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with torch.no_grad(), warnings.catch_warnings(), _removed_on_error(temporary):
            warnings.simplefilter("ignore")  # tracer and deprecation warnings: the check below is what counts
            torch.onnx.export(
                _Bound(self.owner, self.method, call).eval(),
                tuple(t.detach().clone() for t in call.tensors),
                str(temporary),
                dynamo=False,  # the TorchScript-based exporter: fast, and needs no extra package
                input_names=list(call.tensor_names),
                output_names=output_names,
                dynamic_axes={**dynamic, **{name: {0: f"{name}_0"} for name in output_names}},
                opset_version=OPSET,
                do_constant_folding=True,
            )
            os.replace(temporary, path)  # atomic: another process never reads half a file
        self._remove_stale(path)
        log.info("%s: exported to %s", self.label, path)
        return path

    @staticmethod
    def _run(variant: _Variant, call: _Call) -> list[torch.Tensor]:
        feeds = {}
        for name, t in zip(call.tensor_names, call.tensors):
            t = t.detach() if t.requires_grad else t
            t = t.resolve_neg() if t.is_neg() else t  # numpy() refuses a negative-bit view (its memory holds -t)
            feeds[name] = (t if t.is_contiguous() else t.contiguous()).numpy()  # numpy shares the memory

        return [torch.from_numpy(array) for array in variant.session.run(None, feeds)]


@contextlib.contextmanager
def _removed_on_error(path: Path):
    """Delete ``path`` if the block fails (a half-written export must not stay in the cache folder)."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- the registry's entry point


def _model_tag(model: nn.Module, card: str | None) -> str:
    """What the exported graphs depend on besides the variant: weights card and network source."""
    from playground import weights

    digest = hashlib.sha256()
    if card is not None:
        digest.update(weights.card_path(card).read_bytes())  # holds the weights' sha256 and recipe arguments
    source = inspect.getsourcefile(type(model))
    if source:
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()


def accelerate(model: nn.Module, name: str, paths: FastPaths | None, card: str | None = None) -> nn.Module:
    """Install FastMethods on ``model`` (eval, frozen, on the CPU) and build its warm variants."""
    if paths is None or paths.backend == "eager" or mode() == "eager":
        return model
    try:
        onnxruntime()
    except ImportError as error:
        log.warning("%s: onnxruntime unavailable (%s); running eager PyTorch", name, error)
        return model
    tag = _model_tag(model, card)
    for method in paths.methods:
        owner_path, _, attribute = method.rpartition(".")
        owner = model.get_submodule(owner_path) if owner_path else model
        setattr(owner, attribute, FastMethod(owner, attribute, name, paths, tag, path=method))
    with torch.inference_mode():
        for example in paths.examples:
            if example.warm:
                method_of(model, example.method)(*example.inputs(), **example.options)
    return model


def method_of(model: nn.Module, method: str):
    """``model.forward``, ``model.generator.forward``, … (the FastMethod where one is installed)."""
    owner_path, _, attribute = method.rpartition(".")
    owner = model.get_submodule(owner_path) if owner_path else model
    return getattr(owner, attribute)


def fast_methods(model: nn.Module) -> list[FastMethod]:
    return [value for module in model.modules() for value in vars(module).values() if isinstance(value, FastMethod)]


# ---------------------------------------------------------------- the benchmark's reference


def onnxruntime_reference(model_name: str, method: str, inputs: tuple, options: dict | None = None):
    """A callable running the bare engine on the network ``registry.get`` serves: its own
    session of the same exported graph, same thread count, inputs already numpy, no checks.

    Built on its first call (a benchmark's warm-up), so listing benchmark rows costs nothing.
    """
    options = dict(options or {})
    state: dict[str, Any] = {}

    def run():
        if not state:
            from playground import registry

            model = registry.get(model_name)
            fast = method_of(model, method)
            if not isinstance(fast, FastMethod):  # e.g. Lite0's forward (served as pooled + linear): export it whole
                owner_path, _, attribute = method.rpartition(".")
                owner = model.get_submodule(owner_path) if owner_path else model
                spec = registry.spec(model_name)
                paths = FastPaths((Example(method, lambda: tuple(inputs), options),))
                fast = FastMethod(owner, attribute, model_name, paths, _model_tag(model, spec.weights), path=method)
            with torch.inference_mode():
                fast(*inputs, **options)  # builds (or loads) the variant's graph
            call = fast._split(tuple(inputs), options)
            path = fast.cache_path(fast._key(call))
            if not path.exists():
                raise RuntimeError(f"{model_name}:{method}: no exported graph (onnxruntime unavailable?)")
            state["session"] = load_session(path)
            state["feeds"] = {n: t.detach().contiguous().numpy() for n, t in zip(call.tensor_names, call.tensors)}
        return state["session"].run(None, state["feeds"])

    return run
