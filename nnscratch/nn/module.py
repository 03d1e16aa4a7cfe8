"""``Module`` and ``Parameter``: the bookkeeping every layer shares.

A module finds its parameters and sub-modules by looking at its own attributes, in the order
they were assigned (no registration machinery, no ``super().__init__()`` needed): a
``Parameter`` is a parameter, a ``Module`` is a child, and a list or tuple of modules is a list
of children named ``name.0``, ``name.1`` ….  Buffers (state that is saved but not trained,
like BatchNorm's running statistics) are Tensors declared with :meth:`register_buffer` (an array
given there, or assigned later to a buffer's name, is wrapped as a Tensor sharing its memory).
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Iterator, Mapping, NamedTuple

import numpy as np

from .._checks import DtypeError
from ..tensor import Tensor, get_default_dtype

_forward_hooks: list = []  # callables (module, inputs, output), used by ns.summary
_HOOK_KINDS = ("forward_pre", "forward", "backward", "backward_pre", "state_dict_pre",
               "state_dict", "load_state_dict_pre", "load_state_dict_post")


def _array(value) -> np.ndarray:
    return np.asarray(value._data if isinstance(value, Tensor) else value)


def _checked_values(state_dict, slots) -> list:
    """``[(key, array)]`` for the state dict's keys that the module has, each checked (shape,
    real dtype; a lazy parameter takes the shape); NaN/inf values warn, as a diverged run's."""
    pending, nonfinite = [], []
    for key, value in state_dict.items():
        if key not in slots:
            continue
        value = _array(value)
        holder = slots[key][2]
        if getattr(holder, "is_lazy", False):       # UninitializedParameter: take the shape
            holder.materialize(value.shape)
        if value.shape != holder._data.shape:
            raise ValueError(f"load_state_dict: {key} has shape {value.shape} in the "
                             f"state dict, but the module expects {holder._data.shape}")
        if value.dtype.kind not in "biuf":
            raise TypeError(f"load_state_dict: {key} must hold real numbers, got dtype "
                            f"{value.dtype}")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            nonfinite.append(key)
        pending.append((key, value))
    if nonfinite:  # legal (torch loads them too), but almost always a diverged run's file
        warnings.warn(f"load_state_dict: {', '.join(nonfinite)} hold NaN or infinite "
                      f"values; the module now computes NaN/inf", RuntimeWarning,
                      stacklevel=3)
    return pending


def _adopted(given, value: np.ndarray, holder) -> Tensor:
    """``load_state_dict(assign=True)``'s new attribute (torch's rule): a Parameter given for
    a parameter is adopted as is; any other tensor (or array) becomes a Parameter sharing its
    memory, with the module's ``requires_grad``; a buffer takes the given tensor itself."""
    if not isinstance(holder, Parameter):
        return _buffer_tensor(given, "load_state_dict")
    if isinstance(given, Parameter):
        given.requires_grad = holder.requires_grad
        return given
    p = Parameter(value[:0] if value.dtype.kind == "f" else value, requires_grad=False)
    p._data = value                 # share the given memory (Parameter() copies)
    p.requires_grad = holder.requires_grad
    return p


def _buffer_tensor(value, name: str) -> Tensor:
    """``value`` as a buffer: a Tensor as is, an array wrapped without a copy."""
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"buffer {name!r}: expected a Tensor or an array of numbers, got "
                        f"{type(value).__name__} of dtype {arr.dtype}")
    return Tensor._wrap(arr)


class IncompatibleKeys(NamedTuple):
    """What :meth:`Module.load_state_dict` returns (torch's ``_IncompatibleKeys``)."""
    missing_keys: list
    unexpected_keys: list


class Parameter(Tensor):
    """A leaf tensor that a module trains: always ``requires_grad=True``."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True):
        data = data._data if isinstance(data, Tensor) else data
        try:
            arr = np.array(data)
        except ValueError as e:  # ragged nested lists
            raise ValueError(f"Parameter: data must be a rectangular array of numbers "
                             f"({e})") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Parameter: data must hold real numbers, got "
                            f"{type(data).__name__} of dtype {arr.dtype}")
        if requires_grad and arr.dtype.kind != "f" and isinstance(data, (np.ndarray, np.generic)):
            raise DtypeError(f"Parameter: only floating point data can require gradients, got "
                             f"an array of dtype {arr.dtype}; pass .astype(np.float32) or "
                             f"requires_grad=False")
        if arr.dtype.kind != "f" or not isinstance(data, (np.ndarray, np.generic)):
            # ints, bools and Python floats get the default dtype; float arrays keep theirs
            arr = arr.astype(get_default_dtype())
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()



def _check_name(name, kind: str, owner: str) -> None:
    """A submodule/parameter/buffer name: a str (else torch's TypeError), non-empty and
    without '.' (else torch's KeyError)."""
    if not isinstance(name, str):
        raise TypeError(f"{owner}: {kind} name should be a string. Got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"{owner}: name must be a non-empty str without '.', got {name!r}")


class Module:
    """Base class of every layer and model (the PyTorch ``nn.Module`` protocol)."""

    training = True
    # True for a layer whose input is an index (nn.Embedding): fit/evaluate/predict then keep
    # integer inputs as integers instead of casting them to the model's float dtype
    integer_input = False

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        hooks = self.__dict__.get("_hooks")
        if hooks is None:                       # the common case: no hook on this module
            out = self.forward(*args, **kwargs)
        else:
            out = self._call_with_hooks(hooks, args, kwargs)
        for hook in _forward_hooks:
            hook(self, args, out)
        return out

    def _call_with_hooks(self, hooks: dict, args: tuple, kwargs: dict) -> Any:
        """torch's ``_call_impl`` order (see :mod:`nnscratch.nn.hooks`); when anything in it
        raises, the ``always_call`` forward hooks that have not run yet run (their own errors
        become warnings, as torch's) and the error propagates."""
        from .hooks import BackwardHook
        called: set = set()                     # the always_call hooks already run
        out = None
        try:
            args, kwargs = self._run_pre_hooks(hooks, args, kwargs)
            bw = None
            if hooks["backward"] or hooks["backward_pre"]:
                bw = BackwardHook(self, list(hooks["backward"].values()),
                                  list(hooks["backward_pre"].values()))
                args = bw.setup_input_hook(args)
            out = self.forward(*args, **kwargs)
            for hook_id, (hook, with_kwargs, always) in list(hooks["forward"].items()):
                if always:
                    called.add(hook_id)
                res = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
                if res is not None:
                    out = res
            if bw is not None:
                out = bw.setup_output_hook(out)
            return out
        except Exception:
            for hook_id, (hook, with_kwargs, always) in list(hooks["forward"].items()):
                if not always or hook_id in called:
                    continue
                try:
                    res = hook(self, args, kwargs, out) if with_kwargs else hook(self, args, out)
                    out = out if res is None else res
                except Exception as e:
                    warnings.warn(f"module forward hook with ``always_call=True`` raised an "
                                  f"exception that was silenced as another error was raised "
                                  f"in forward: {e}", stacklevel=2)
            raise

    def _run_pre_hooks(self, hooks: dict, args: tuple, kwargs: dict) -> tuple:
        for hook, with_kwargs in list(hooks["forward_pre"].values()):
            if with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {res}.")
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        return args, kwargs

    # ------------------------------------------------------------------ hooks
    def _hook_table(self, kind: str):
        hooks = self.__dict__.get("_hooks")
        if hooks is None:
            hooks = {k: OrderedDict() for k in _HOOK_KINDS}
            object.__setattr__(self, "_hooks", hooks)
        return hooks[kind]

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False):
        """``hook(module, args)`` (``with_kwargs``: ``hook(module, args, kwargs)``) before every
        forward; it may return new args (or ``(args, kwargs)``).  Returns a removable handle."""
        from .hooks import add_hook
        return add_hook(self._hook_table("forward_pre"), (hook, with_kwargs), prepend)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        """``hook(module, args, output)`` (``with_kwargs``: ``hook(module, args, kwargs,
        output)``) after every forward; it may return a new output.  ``always_call``: it also
        runs (with ``output=None``) when forward or an earlier hook raised, as torch's."""
        from .hooks import add_hook
        return add_hook(self._hook_table("forward"), (hook, with_kwargs, bool(always_call)),
                        prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_input, grad_output)`` once the gradients with respect to the
        module's tensor inputs are computed; it may return a new ``grad_input``."""
        from .hooks import add_hook
        return add_hook(self._hook_table("backward"), hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_output)`` when the gradients with respect to the module's
        outputs are computed; it may return a new ``grad_output``."""
        from .hooks import add_hook
        return add_hook(self._hook_table("backward_pre"), hook, prepend)

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` before this module's entries are saved."""
        from .hooks import add_hook
        return add_hook(self._hook_table("state_dict_pre"), hook, False)

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata)`` after this module's entries
        (and its children's) are in ``state_dict``; it may change it in place."""
        from .hooks import add_hook
        return add_hook(self._hook_table("state_dict"), hook, False)

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before :meth:`load_state_dict` checks the keys."""
        from .hooks import add_hook
        return add_hook(self._hook_table("load_state_dict_pre"), hook, False)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)`` after :meth:`load_state_dict`; it may add to the
        ``missing_keys``/``unexpected_keys`` lists."""
        from .hooks import add_hook
        return add_hook(self._hook_table("load_state_dict_post"), hook, False)

    def _run_hooks(self, kind: str, *args: Any) -> None:
        hooks = self.__dict__.get("_hooks")
        if hooks is not None:
            for hook in list(hooks[kind].values()):
                hook(self, *args)

    # ------------------------------------------------------------------ discovery
    def _members(self):
        for name, v in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(v, (Parameter, Module)):
                yield name, v
            elif isinstance(v, (list, tuple)) and v and all(isinstance(m, Module) for m in v):
                for i, m in enumerate(v):
                    yield f"{name}.{i}", m

    def named_children(self):
        for name, v in self._members():
            if isinstance(v, Module):
                yield name, v

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True):
        """``(dotted name, module)`` for this module and every sub-module, depth first.

        A module reachable under several names (weight sharing) is listed once, under the
        first, unless ``remove_duplicate=False`` (as in PyTorch; ``state_dict`` lists every
        name)."""
        seen: set | None = set() if remove_duplicate else None
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if seen is not None:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            yield name, m
            children = [(f"{name}.{c}" if name else c, child) for c, child in m.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def apply(self, fn) -> "Module":
        """Call ``fn(m)`` on every sub-module, children before parents, then on self (torch's
        order, so a custom initialisation ``model.apply(init_weights)`` sees every layer)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def add_module(self, name: str, module) -> None:
        """``self.<name> = module`` (torch's ``add_module``/``register_module``)."""
        _check_name(name, "module", "add_module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module or None, got "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    register_module = add_module

    def register_parameter(self, name: str, param) -> None:
        """``self.<name> = param`` for a Parameter or None (torch's ``register_parameter``)."""
        _check_name(name, "parameter", "register_parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: cannot assign {type(param).__name__} object "
                            f"to parameter {name!r} (nn.Parameter or None required)")
        setattr(self, name, param)

    def get_submodule(self, target: str) -> "Module":
        """The sub-module at dotted path ``target`` (``""`` is self), as torch."""
        mods = dict(self.named_modules(remove_duplicate=False))
        if target not in mods:
            raise AttributeError(f"{type(self).__name__} has no submodule {target!r}")
        return mods[target]

    def get_parameter(self, target: str) -> Parameter:
        params = dict(self.named_parameters())
        if target not in params:
            raise AttributeError(f"{type(self).__name__} has no parameter {target!r}")
        return params[target]

    def __getattr__(self, name):
        # reached only when normal lookup fails: a torch Module method we lack is named as such
        from .._unsupported import missing
        raise missing("MODULE", "torch.nn.Module", name,
                      f"'{type(self).__name__}' object has no attribute {name!r}")

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)``, each shared parameter once unless
        ``remove_duplicate=False``; ``recurse=False``: this module's own only (as torch)."""
        seen = set()
        mods = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mod_name, m in mods:
            for name, v in m._members():
                if isinstance(v, Parameter) and (id(v) not in seen or not remove_duplicate):
                    seen.add(id(v))
                    yield (f"{mod_name}.{name}" if mod_name else name), v

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Keep ``tensor`` (a Tensor, an array -- wrapped as a Tensor sharing its memory -- or
        None) as state that is not trained, called ``name`` (torch's ``register_buffer``).
        A ``persistent=False`` buffer is left out of :meth:`state_dict`."""
        _check_name(name, "buffer", "register_buffer")
        if isinstance(getattr(type(self), name, None), property) or (
                name in self.__dict__ and name not in self.__dict__.get("_buffer_names", ())):
            raise KeyError(f"register_buffer: attribute {name!r} already exists")
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            names.append(name)
        hidden = self.__dict__.setdefault("_non_persistent", set())
        if persistent:
            hidden.discard(name)
        else:
            hidden.add(name)
        setattr(self, name, tensor)

    def __setattr__(self, name: str, value: Any) -> None:
        if value is not None and not isinstance(value, Parameter) \
                and isinstance(self.__dict__.get(name), Parameter):
            raise TypeError(f"{type(self).__name__}: cannot assign {type(value).__name__} as "
                            f"parameter {name!r} (nn.Parameter or None expected)")
        # a buffer stays a Tensor when an array is assigned to its name (torch requires a
        # Tensor there; assigning arrays was this library's idiom before buffers were Tensors)
        if value is not None and name in self.__dict__.get("_buffer_names", ()) \
                and not isinstance(value, Tensor):
            value = _buffer_tensor(value, name)
        object.__setattr__(self, name, value)

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer Tensor)`` for every buffer that is not None, as torch."""
        seen: set = set()
        mods = self.named_modules(prefix, remove_duplicate) if recurse else [(prefix, self)]
        for mod_name, m in mods:
            for name in m.__dict__.get("_buffer_names", ()):
                b = getattr(m, name)
                if b is not None and (id(b) not in seen or not remove_duplicate):
                    seen.add(id(b))
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and in every sub-module (Dropout, BatchNorm read it)."""
        if not isinstance(mode, (bool, np.bool_)):
            raise ValueError(f"train: mode is expected to be a bool, got "
                             f"{type(mode).__name__} {mode!r}")
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop every parameter's gradient (torch's default), or zero it in place."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    def requires_grad_(self, flag: bool = True) -> "Module":
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"requires_grad_: requires_grad must be a bool, got "
                            f"{type(flag).__name__} {flag!r}")
        for p in self.parameters():
            p.requires_grad = bool(flag)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: torch's
        ``Module.to``, in place, returning self.  The CPU is the only device (another is an
        error naming it); a dtype must be floating and casts every float parameter and buffer
        (integer ones are kept, as torch)."""
        from .._tensor.convert import as_dtype, to_args
        dtype = to_args(args, kwargs, "Module.to()")
        if dtype is None:
            return self
        dtype = as_dtype(dtype, "Module.to")
        if dtype.kind != "f":
            raise TypeError(f"Module.to: dtype must be a float dtype (nn.Module.to only "
                            f"accepts floating point dtypes, as torch), got {dtype}")
        for p in self.parameters():
            if p._data.dtype.kind == "f" and p._data.dtype != dtype:
                p._data = p._data.astype(dtype)
                p.grad = None
        for m in self.modules():
            for name in m.__dict__.get("_buffer_names", ()):
                b = getattr(m, name)
                if b is not None and b._data.dtype.kind == "f" and b._data.dtype != dtype:
                    setattr(m, name, Tensor._wrap(b._data.astype(dtype)))
        return self

    def _factory(self, device: Any, dtype: Any) -> None:
        """torch's factory keywords of every module constructor: ``device`` must be the CPU
        (another is the error :class:`nnscratch.device` gives), ``dtype`` (a float dtype)
        casts the freshly built parameters and buffers, as :meth:`to`."""
        if device is not None:
            from ..device import device as as_device
            as_device(device)
        if dtype is not None:
            self.to(dtype)

    def cpu(self) -> "Module":
        """Already on the CPU, the only device: self."""
        return self

    def cuda(self, device=None) -> "Module":
        raise NotImplementedError("Module.cuda(): nnscratch runs on the CPU only; "
                           "torch.cuda.is_available() is False here (use .to('cpu'))")

    def double(self) -> "Module":
        return self.to(np.float64)

    def float(self) -> "Module":
        return self.to(np.float32)

    def half(self) -> "Module":
        return self.to(np.float16)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------------ state
    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Every parameter and persistent buffer by dotted name (PyTorch's naming), as
        *detached Tensors that share memory with them* (as torch): the dict follows later
        training, so a snapshot (best weights, an average) must copy, e.g.
        ``{k: v.clone() for k, v in model.state_dict().items()}``.  ``keep_vars=True`` gives
        the Parameters and buffers themselves.  ``prefix`` goes before every key;
        ``destination`` is filled and returned if given (torch's positional order
        ``destination, prefix, keep_vars`` is accepted too)."""
        if args:
            if len(args) > 3:
                raise TypeError(f"state_dict() takes at most 3 positional arguments, got "
                                f"{len(args)}")
            given = list(args) + [destination, prefix, keep_vars][len(args):]
            destination, prefix, keep_vars = given[0], given[1], given[2]
        sd = OrderedDict() if destination is None else destination
        self._save_state(sd, prefix, keep_vars)
        return sd

    def _save_state(self, sd: "OrderedDict[str, Any]", prefix: str, keep_vars: bool) -> None:
        """torch's recursion: pre-hooks, own parameters, own buffers, children, post-hooks."""
        self._run_hooks("state_dict_pre", prefix, keep_vars)
        children = []
        for name, v in self._members():
            if isinstance(v, Parameter):
                sd.setdefault(prefix + name, v if keep_vars else v.detach())
            else:
                children.append((name, v))
        hidden = self.__dict__.get("_non_persistent", ())
        for name in self.__dict__.get("_buffer_names", ()):
            b = getattr(self, name)
            if b is not None and name not in hidden:
                sd[prefix + name] = b if keep_vars else b.detach()
        for name, child in children:
            child._save_state(sd, f"{prefix}{name}.", keep_vars)
        self._run_hooks("state_dict", sd, prefix, {"version": 1})

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> tuple:
        """Copy values (Tensors or arrays) into this module's parameters and persistent
        buffers, in place.

        With ``strict`` every key must match, both ways; a shape mismatch is always an error.
        Returns torch's ``(missing_keys, unexpected_keys)`` named tuple, after the load hooks
        ran.  A lazy module's uninitialized parameters take the loaded shapes.  ``assign=True``
        (torch's): the module adopts the state dict's tensors instead of copying into its own
        (shared memory, their dtype); a parameter stays a Parameter with the module's
        ``requires_grad``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
        state_dict = OrderedDict(state_dict)    # the pre-hooks may rename keys in this copy
        hook_missing: list = []
        hook_unexpected: list = []
        error_msgs: list = []
        for mod_name, m in self.named_modules():
            m._run_hooks("load_state_dict_pre", state_dict, f"{mod_name}." if mod_name else "",
                         {}, strict, hook_missing, hook_unexpected, error_msgs)
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict: " + "; ".join(error_msgs))
        slots = self._state_slots()
        result = IncompatibleKeys(sorted(set(slots) - set(state_dict)) + hook_missing,
                                  sorted(set(state_dict) - set(slots)) + hook_unexpected)
        for _, m in self.named_modules():
            m._run_hooks("load_state_dict_post", result)
        missing, unexpected = result
        if strict and (missing or unexpected):
            raise ValueError(f"load_state_dict: missing keys {missing}, "
                             f"unexpected keys {unexpected}")
        pending = _checked_values(state_dict, slots)
        for key, value in pending:   # change only once every shape checked: all or nothing
            module, name, holder = slots[key]
            if assign:
                object.__setattr__(module, name, _adopted(state_dict[key], value, holder))
            else:
                holder._data[...] = value
        return result

    def _state_slots(self) -> dict:
        """``{key: (module, attribute, tensor)}`` for every parameter (under each name a shared
        one has, as torch) and persistent buffer that is not None."""
        slots = {}
        for mod_name, m in self.named_modules(remove_duplicate=False):
            pre = f"{mod_name}." if mod_name else ""
            for name, v in m._members():
                if isinstance(v, Parameter):
                    slots[pre + name] = (m, name, v)
            hidden = m.__dict__.get("_non_persistent", ())
            for name in m.__dict__.get("_buffer_names", ()):
                # None and non-persistent buffers are not saved, so not expected
                if getattr(m, name) is not None and name not in hidden:
                    slots[pre + name] = (m, name, getattr(m, name))
        return slots

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        # torch's layout: a lone one-line extra_repr inline, else one indented line for each
        # line of extra_repr and then each child
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ")
                       for name, m in self.named_children()]
        if len(extra_lines) == 1 and not child_lines:
            return f"{type(self).__name__}({extra})"
        lines = extra_lines + child_lines
        body = "\n  " + "\n  ".join(lines) + "\n" if lines else ""
        return f"{type(self).__name__}({body})"
