"""Reinforcement learning: REINFORCE with a learned value baseline balances the pole (CartPole-v1).

    pip install -e ".[rl]"      # gymnasium, the standard environment library
    python examples/reinforce_cartpole.py [--episodes 3000] [--seed 0] [--figure examples/figures/reinforce_cartpole.png]

No labels here: the agent acts, the environment answers with +1 for every step the pole stays up
(at most 500 per episode). The policy network gives the probability of pushing left or right; after
each episode the log-probability of every action taken is pushed up in proportion to its advantage
A_t = G_t - V(s_t), how much better the return G_t = r_t + gamma r_{t+1} + ... turned out than the
value network V expected (the policy-gradient theorem; Williams, 1992). Subtracting the baseline V
leaves the gradient's expectation unchanged and shrinks its variance. CartPole-v1 counts as solved
when 100 consecutive episodes average at least 475; training carries on to an average of 490, so
that the policy holds 475 on 100 fresh episodes too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F
from gradnote import nn, optim
from gradnote.random import get_rng

FIGURE = Path(__file__).resolve().parent / "figures" / "reinforce_cartpole.png"
SOLVED = 475.0  # gymnasium's reward_threshold for CartPole-v1
STOP_AT = 490.0  # training goes a little past SOLVED so that fresh episodes hold the score too


def mlp(in_features: int, out_features: int, hidden: int = 128) -> nn.Sequential:
    return nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))


def discounted_returns(rewards, gamma: float) -> np.ndarray:
    """G_t = r_t + gamma * G_{t+1}, computed backwards from the episode's end: (T,) float32."""
    returns = np.zeros(len(rewards), dtype=np.float32)
    g = 0.0
    for t in reversed(range(len(rewards))):
        g = rewards[t] + gamma * g
        returns[t] = g
    return returns


def policy_gradient_loss(logits, actions: np.ndarray, advantages: np.ndarray):
    """-mean_t log pi(a_t | s_t) * A_t: its gradient is the REINFORCE estimate of -grad J.

    logits: (T, A) for the states visited; actions: (T,) ints; advantages: (T,) held constant.
    """
    log_probs = F.log_softmax(logits, dim=-1)
    taken = log_probs[np.arange(len(actions)), np.asarray(actions)]
    return -(taken * gn.tensor(np.asarray(advantages, dtype=np.float32))).mean()


def run_episode(env, policy: nn.Module, seed: int | None = None, generator=None):
    """Play one episode with actions drawn from the policy; returns states (T, S), actions (T,), rewards (T,)."""
    rng = get_rng(generator)
    obs, _ = env.reset(seed=seed)
    states, actions, rewards = [], [], []
    done = False
    while not done:
        with gn.no_grad():
            probs = F.softmax(policy(gn.tensor(obs[None].astype(np.float32))), dim=-1).numpy()[0]
        action = min(int(np.searchsorted(np.cumsum(probs), rng.random())), len(probs) - 1)
        states.append(obs)
        actions.append(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(float(reward))
        done = terminated or truncated
    return np.asarray(states, dtype=np.float32), np.asarray(actions), np.asarray(rewards, dtype=np.float32)


def reinforce(env, *, episodes: int = 3000, gamma: float = 0.99, lr: float = 1e-3, value_lr: float = 1e-2,
              hidden: int = 128, seed: int = 0, stop_at: float | None = STOP_AT, log_every: int = 0) -> dict:
    """Train a policy on `env` (gymnasium's API) for up to `episodes` episodes, one update per episode;
    stop early once the last 100 returns average `stop_at`. Returns the networks, every episode's return
    and `solved_at`, the episode at which the last 100 first averaged SOLVED (None if never)."""
    gn.manual_seed(seed)
    n_states, n_actions = env.observation_space.shape[0], env.action_space.n
    policy, value = mlp(n_states, n_actions, hidden), mlp(n_states, 1, hidden)
    policy_opt, value_opt = optim.Adam(policy.parameters(), lr=lr), optim.Adam(value.parameters(), lr=value_lr)
    returns_seen, solved_at = [], None
    for episode in range(episodes):
        states, actions, rewards = run_episode(env, policy, seed=seed if episode == 0 else None)
        returns = discounted_returns(rewards, gamma)
        s, g = gn.tensor(states), gn.tensor(returns)

        baseline = value(s).reshape(-1)
        value_loss = F.mse_loss(baseline, g)
        value_opt.zero_grad()
        value_loss.backward()
        value_opt.step()

        advantages = returns - baseline.data
        advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)  # one scale for every episode length
        loss = policy_gradient_loss(policy(s), actions, advantages)
        policy_opt.zero_grad()
        loss.backward()
        policy_opt.step()

        returns_seen.append(float(rewards.sum()))
        average = float(np.mean(returns_seen[-100:]))
        if log_every and (episode + 1) % log_every == 0:
            print(f"episode {episode + 1}: return {returns_seen[-1]:.0f}, average of the last 100 {average:.1f}",
                  flush=True)
        if len(returns_seen) >= 100 and average >= SOLVED and solved_at is None:
            solved_at = episode + 1
        if stop_at is not None and len(returns_seen) >= 100 and average >= stop_at:
            break
    return {"policy": policy, "value": value, "returns": returns_seen, "solved_at": solved_at}


def evaluate(env, policy: nn.Module, episodes: int = 100, seed: int = 10_000) -> np.ndarray:
    """Returns of `episodes` fresh episodes with the trained (still stochastic) policy, no learning."""
    return np.asarray([run_episode(env, policy, seed=seed + k)[2].sum() for k in range(episodes)])


def plot(returns, path) -> None:
    from gradnote.viz import plot_curves

    returns = np.asarray(returns, dtype=float)
    average = np.array([returns[max(0, k - 99):k + 1].mean() for k in range(len(returns))])
    fig = plot_curves({"episode return": returns, "average of the last 100": average}, xlabel="episode",
                      ylabel="return", title="REINFORCE with a value baseline on CartPole-v1")
    ax = fig.axes[0]
    ax.lines[0].set(marker="", alpha=0.35, linewidth=0.8)
    ax.lines[1].set(marker="", linewidth=2)
    ax.axhline(SOLVED, color="gray", linestyle="--", linewidth=1, label=f"solved ({SOLVED:.0f})")
    ax.legend(loc="lower right")
    fig.savefig(path, dpi=80)


def make_env():
    try:
        import gymnasium
    except ImportError:
        raise SystemExit("reinforce_cartpole.py needs gymnasium: pip install 'gradnote[rl]'") from None
    return gymnasium.make("CartPole-v1")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=3000, help="at most this many training episodes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURE), help="learning-curve PNG ('' for none; needs matplotlib)")
    args = parser.parse_args(argv)

    env = make_env()
    start = time.perf_counter()
    result = reinforce(env, episodes=args.episodes, seed=args.seed, log_every=50)
    train_time = time.perf_counter() - start
    returns = result["returns"]
    print(f"solved (last 100 average >= {SOLVED:.0f}) at episode {result['solved_at']}; trained {len(returns)} "
          f"episodes in {train_time:.0f} s, average of the last 100: {np.mean(returns[-100:]):.1f}")
    scores = evaluate(env, result["policy"])
    print(f"100 fresh episodes with the trained policy: average return {scores.mean():.1f} "
          f"(min {scores.min():.0f}); solved (>= {SOLVED:.0f}): {scores.mean() >= SOLVED}")
    if args.figure:
        plot(returns, args.figure)
        print(f"figure: {args.figure}")
    return {**result, "evaluation": scores, "train_time": train_time}


if __name__ == "__main__":
    main()
