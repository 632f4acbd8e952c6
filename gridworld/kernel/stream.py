"""The env's random stream in compiled code: gymnasium's ``reset(seed=s)`` makes
``PCG64(SeedSequence(s))``, which ``seed_env`` computes here (128-bit arithmetic on two
64-bit words), and ``env_random`` is that generator's ``random()``. The state is a uint64
array ``[state hi, state lo, inc hi, inc lo]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .compile_cache import cached

_M32 = np.uint64(0xFFFFFFFF)
_S16, _S32, _S11, _S58, _S63, _S64 = (np.uint64(n) for n in (16, 32, 11, 58, 63, 64))
_ONE = np.uint64(1)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_L, _MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_PCG_HI, _PCG_LO = np.uint64(0x2360ED051FC65DA4), np.uint64(0x4385DF649FCCF645)
_DOUBLE_UNIT = 1.0 / 9007199254740992.0


@njit
def _mulhi(a: np.uint64, b: np.uint64) -> np.uint64:
    """High 64 bits of the 128-bit product of two uint64."""
    a_lo, a_hi, b_lo, b_hi = a & _M32, a >> _S32, b & _M32, b >> _S32
    cross_1, cross_2 = a_lo * b_hi, a_hi * b_lo
    middle = ((a_lo * b_lo) >> _S32) + (cross_1 & _M32) + (cross_2 & _M32)
    return a_hi * b_hi + (cross_1 >> _S32) + (cross_2 >> _S32) + (middle >> _S32)


@njit
def _pcg_step(env: np.ndarray) -> None:
    """state = state * multiplier + inc (mod 2**128); env = [hi, lo, inc_hi, inc_lo]."""
    hi, lo = env[0], env[1]
    new_hi = _mulhi(lo, _PCG_LO) + hi * _PCG_LO + lo * _PCG_HI
    new_lo = lo * _PCG_LO
    low = new_lo + env[3]
    env[0] = new_hi + env[2] + (_ONE if low < new_lo else np.uint64(0))
    env[1] = low


@njit
def env_random(env: np.ndarray) -> float:
    """The env generator's next ``random()``: PCG64's XSL-RR output, 53 bits to [0, 1)."""
    _pcg_step(env)
    hi, lo = env[0], env[1]
    word, rotation = hi ^ lo, hi >> _S58
    word = (word >> rotation) | (word << ((_S64 - rotation) & _S63))
    return np.float64(word >> _S11) * _DOUBLE_UNIT


@njit
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's hashmix on 32-bit words; returns (value, the next hash constant)."""
    value = (value ^ hash_const) & _M32
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _S16), hash_const


@njit
def seed_env(env: np.ndarray, seed: int | np.integer) -> None:
    """Set env to ``PCG64(SeedSequence(seed))``'s state, ``0 <= seed < 2**32``."""
    pool = np.zeros(4, np.uint64)
    hash_const = _INIT_A
    for i in range(4):
        pool[i], hash_const = _hashmix(np.uint64(seed) if i == 0 else np.uint64(0), hash_const)
    for source in range(4):
        for target in range(4):
            if source != target:
                hashed, hash_const = _hashmix(pool[source], hash_const)
                mixed = (_MIX_L * pool[target] - _MIX_R * hashed) & _M32
                pool[target] = mixed ^ (mixed >> _S16)
    words = np.zeros(8, np.uint64)
    hash_const = _INIT_B
    for i in range(8):
        value = pool[i % 4] ^ hash_const
        hash_const = (hash_const * _MULT_B) & _M32
        value = (value * hash_const) & _M32
        words[i] = value ^ (value >> _S16)
    seed_hi, seed_lo = words[0] | (words[1] << _S32), words[2] | (words[3] << _S32)
    inc_hi, inc_lo = words[4] | (words[5] << _S32), words[6] | (words[7] << _S32)
    env[2] = (inc_hi << _ONE) | (inc_lo >> _S63)
    env[3] = (inc_lo << _ONE) | _ONE
    env[0], env[1] = env[2], env[3]  # state 0, one step: state = inc
    low = env[1] + seed_lo
    env[0] = env[0] + seed_hi + (_ONE if low < env[1] else np.uint64(0))
    env[1] = low
    _pcg_step(env)


@cached
def env_random_draws(seed: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``count`` draws of the env stream ``reset(seed=seed)`` starts (a test probe of
    the stream against ``numpy``), and the stream's state after them.

    Returns:
        (float64 [count], uint64 [4] as [state hi, state lo, inc hi, inc lo]).
    """
    env = np.zeros(4, np.uint64)
    seed_env(env, seed)
    out = np.empty(count)
    for i in range(count):
        out[i] = env_random(env)
    return out, env
