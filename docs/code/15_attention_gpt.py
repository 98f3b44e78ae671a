# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:attention]
import gradnote.functional as F

T, d = 5, 4
q, k, v = gn.randn(1, T, d), gn.randn(1, T, d), gn.randn(1, T, d)
scores = q.data @ k.data.transpose(0, 2, 1) / np.sqrt(d)          # how much each query matches each key
causal = np.triu(np.ones((T, T), dtype=bool), 1)                   # a token may not look at the future
scores = np.where(causal, -np.inf, scores)
weights = np.exp(scores - scores.max(-1, keepdims=True))
weights /= weights.sum(-1, keepdims=True)                          # softmax over the keys
by_hand = weights @ v.data
out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
print("softmax(q k^T / sqrt(d)) v by hand == F.scaled_dot_product_attention:", np.allclose(out.data, by_hand, atol=1e-5))
print("attention weights (row = query, causal):\n", np.round(weights[0], 2))
# --8<-- [end:attention]

# --8<-- [start:gpt]
import gradnote.optim as optim

text = ("딥러닝은 인공 신경망으로 데이터에서 배운다. 퍼셉트론은 가중합을 계단 함수에 넣는다. "
        "은닉층이 있으면 XOR 도 풀린다. 역전파는 오차를 거슬러 올라가며 기울기를 구한다. ") * 4
chars = sorted(set(text))
encode = {c: i for i, c in enumerate(chars)}
data = np.array([encode[c] for c in text], dtype=np.int64)
block = 16
gn.manual_seed(0)
gpt = gn.models.GPT(vocab_size=len(chars), block_size=block, n_layer=2, n_head=2, n_embd=32)
opt = optim.AdamW(gpt.parameters(), lr=3e-3)
rng = np.random.default_rng(0)
for step in range(61):
    starts = rng.integers(0, len(data) - block - 1, size=16)
    xb = gn.tensor(np.stack([data[s:s + block] for s in starts]))
    yb = gn.tensor(np.stack([data[s + 1:s + block + 1] for s in starts]))
    logits, loss = gpt(xb, yb)                      # next-character prediction at every position
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 20 == 0:
        print(f"step {step:3d}  loss {loss.item():.3f}")
prompt = gn.tensor(np.array([[encode[c] for c in "퍼셉트론"]]))
sample = gpt.generate(prompt, 30, top_k=3, generator=np.random.default_rng(1))
print("sample:", "".join(chars[i] for i in sample.data[0]))
print(f"{gpt.num_parameters():,} parameters, vocabulary of {len(chars)} characters")
# --8<-- [end:gpt]

# --8<-- [start:figure]
weights = gpt.attention_weights(prompt)[-1, 0]          # last layer, first sample: (heads, T, T)
show(gn.viz.plot_attention(weights, tokens=[f"t{i}" for i in range(prompt.shape[1])]), width=520)   # t0..t3: 퍼셉트론
# --8<-- [end:figure]
