"""One PyTorch cell of lsgrad's benchmark: a workload timed under the reference LSG implementation.

Run by bench/torch.ts, never imported by lsgrad. It needs PyTorch and the reference's
`lsg_converter` package (with the `transformers` it imports) importable; it prints one line
`RESULT {json}` with the wall and CPU times of each timed run. CPU time is the process's
(time.process_time: user + system of every thread), like Node's process.cpuUsage on lsgrad's side.

    python3 bench/torch/reference_cell.py '{"workload": "lsg-b32", "threads": 1, "reps": 5, "seed": 1}'
"""
import json
import math
import sys
import time

import torch

WORKLOADS = {}


def workload(name):
    def register(fn):
        WORKLOADS[name] = fn
        return fn
    return register


def attention_inputs(spec, length, heads, head_dim):
    gen = torch.Generator().manual_seed(spec["seed"])
    shape = (1, heads, length, head_dim)
    values = [torch.randn(shape, generator=gen) for _ in range(4)]
    def leaves():
        return [x.clone().requires_grad_(True) for x in values[:3]]
    return leaves, values[3]


def lsg_layer(block_size, sparsity_factor):
    from lsg_converter.attention_layers import LSGSelfAttention
    layer = LSGSelfAttention(block_size=block_size, sparsity_factor=sparsity_factor, sparsity_type="norm", attention_dropout_prob=0.0)
    return layer.train()


def attention_step(attend, spec):
    leaves, upstream = attention_inputs(spec, spec["length"], spec["heads"], spec["headDim"])
    def run():
        q, k, v = leaves()
        attend(q, k, v).backward(upstream)
    return run


@workload("lsg-b128")
def lsg_b128(spec):
    layer = lsg_layer(128, 4)
    return attention_step(lambda q, k, v: layer(q, k, v), spec)


@workload("lsg-b32")
def lsg_b32(spec):
    layer = lsg_layer(32, 4)
    return attention_step(lambda q, k, v: layer(q, k, v), spec)


@workload("dense")
def dense(spec):
    def attend(q, k, v):
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        return torch.softmax(scores, dim=-1) @ v
    return attention_step(attend, spec)


@workload("train-step")
def train_step(spec):
    from lsg_converter.albert.modeling_lsg_albert import LSGAlbertConfig, LSGAlbertForSequenceClassification
    model_spec = spec["model"]
    config = LSGAlbertConfig(
        vocab_size=model_spec["vocabSize"], embedding_size=model_spec["embeddingSize"], hidden_size=model_spec["hiddenSize"],
        num_hidden_layers=model_spec["numLayers"], num_attention_heads=model_spec["heads"], intermediate_size=model_spec["intermediateSize"],
        max_position_embeddings=spec["length"], hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, classifier_dropout_prob=0.0,
        num_labels=2, block_size=model_spec["blockSize"], sparse_block_size=model_spec["sparseBlockSize"],
        sparsity_factor=model_spec["sparsityFactor"], sparsity_type="norm", num_global_tokens=model_spec["numGlobalTokens"],
        pad_token_id=0, bos_token_id=2, eos_token_id=3,
    )
    torch.manual_seed(spec["seed"])
    model = LSGAlbertForSequenceClassification(config).train()
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    gen = torch.Generator().manual_seed(spec["seed"] + 1)
    input_ids = torch.randint(5, model_spec["vocabSize"], (model_spec["batch"], spec["length"]), generator=gen)
    attention_mask = torch.ones_like(input_ids)
    labels = torch.tensor([i % 2 for i in range(model_spec["batch"])])
    def run():
        loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        loss.item()
    return run


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    run = WORKLOADS[spec["workload"]](spec)
    run()  # warm-up: first-call allocations and lazy initialisation
    wall, cpu = [], []
    for _ in range(spec["reps"]):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        run()
        wall.append((time.perf_counter() - wall_start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
    print("RESULT " + json.dumps({"wallMs": wall, "cpuMs": cpu, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
