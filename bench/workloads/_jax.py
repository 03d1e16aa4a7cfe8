"""Pieces of the JAX peers (not a workload: the runner skips names starting with ``_``).
Each JAX workload ``jit``-compiles its whole train step (forward, gradient, optimizer update)
and runs it on the CPU; the untimed warm-up call pays the compilation.  JAX is optional
(the ``bench`` extra)."""


def xent(z, t):
    """Mean softmax cross-entropy of logits ``z`` ``(N, K)`` against integer classes ``t``."""
    import jax
    import jax.numpy as jnp
    logp = jax.nn.log_softmax(z, axis=1)
    return -jnp.take_along_axis(logp, t[:, None], axis=1).mean()


def adam_init(params):
    import jax
    import jax.numpy as jnp
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    return (zeros, zeros, 0)


def adam_update(params, grads, state, lr, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step with torch's defaults (pure: returns new params and state)."""
    import jax
    import jax.numpy as jnp
    m, v, t = state
    t = t + 1
    m = jax.tree_util.tree_map(lambda a, g: b1 * a + (1 - b1) * g, m, grads)
    v = jax.tree_util.tree_map(lambda a, g: b2 * a + (1 - b2) * g * g, v, grads)
    c1, c2 = 1 - b1 ** t, 1 - b2 ** t
    params = jax.tree_util.tree_map(
        lambda p, a, b: p - (lr / c1) * a / (jnp.sqrt(b / c2) + eps), params, m, v)
    return params, (m, v, t)


def uniform(rng, shape, fan_in):
    """PyTorch's default init U(-1/sqrt(fan_in), 1/sqrt(fan_in)), float32, from NumPy."""
    import numpy as np
    b = 1 / np.sqrt(fan_in)
    return rng.uniform(-b, b, shape).astype(np.float32)


def adam_train_step(loss_fn, lr):
    """``step(params, state, *batch) -> (params, state, loss)``: the gradient of
    ``loss_fn(params, *batch)`` and one Adam update, ``jit``-compiled as one function."""
    import jax

    @jax.jit
    def step(params, state, *batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
        params, state = adam_update(params, grads, state, lr)
        return params, state, loss
    return step
