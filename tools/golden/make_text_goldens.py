"""Writes tiny randomly initialised HuggingFace BERT and CLIP text models, their tokenizer files, and the
outputs transformers computes for a few prompts: golden fixtures for VidGen's own BERT/CLIP loaders,
tokenizers and forward passes (tests/VidGen.Tests/Text/HfGoldenTests.cs). No download: the weights are
random, the vocabularies are written here. Run where torch and transformers are installed:
    python tools/golden/make_text_goldens.py OUT_DIR
"""
import json, os, sys
import torch
import transformers
from transformers import BertConfig, BertModel, BertTokenizer, CLIPTextConfig, CLIPTextModel, CLIPTokenizer

out = sys.argv[1]
PROMPTS = ["a small red circle moving left", "A LARGE Blue square, moving UP!", "café triangle unknownword moving right", ""]
MAX_LEN = 16


def dump(name, tok, model, extra):
    enc = tok(PROMPTS, padding="max_length", max_length=MAX_LEN, truncation=True, return_tensors="pt")
    with torch.no_grad():
        res = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
    golden = {
        "transformers": transformers.__version__, "torch": torch.__version__,
        "prompts": PROMPTS, "max_length": MAX_LEN,
        "input_ids": enc["input_ids"].tolist(), "attention_mask": enc["attention_mask"].tolist(),
        "last_hidden_state": res.last_hidden_state.double().tolist(),
        "pooler_output": res.pooler_output.double().tolist() if res.pooler_output is not None else None,
        **extra,
    }
    with open(os.path.join(out, name, "golden.json"), "w") as f:
        json.dump(golden, f)


def bert():
    d = os.path.join(out, "bert"); os.makedirs(d, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "small", "red", "circle", "moving", "left", "large",
             "blue", "square", "up", "triangle", "right", "!", ",", ".", "caf", "##e", "un", "##known", "##word", "##s"]
    with open(os.path.join(d, "vocab.txt"), "w") as f:
        f.write("\n".join(vocab) + "\n")
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=32, initializer_range=0.3)
    model = BertModel(cfg).eval()
    model.save_pretrained(d, safe_serialization=True)
    dump("bert", BertTokenizer(os.path.join(d, "vocab.txt"), do_lower_case=True), model, {})


def byte_symbols():
    """GPT-2's byte-level alphabet: printable bytes stand for themselves, the rest for 256 + n."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep: table[b] = chr(b)
        else: table[b] = chr(256 + extra); extra += 1
    return table


def clip():
    d = os.path.join(out, "clip"); os.makedirs(d, exist_ok=True)
    base = list(byte_symbols().values())
    vocab = base + [b + "</w>" for b in base]
    merges = []
    for word in ["a", "small", "red", "circle", "moving", "left", "large", "blue", "square", "up", "triangle", "right", "caf", "un", "known"]:
        syms = list(word[:-1]) + [word[-1] + "</w>"]
        while len(syms) > 1:
            pair = (syms[0], syms[1])
            joined = syms[0] + syms[1]
            if " ".join(pair) not in merges:
                merges.append(" ".join(pair))
                if joined not in vocab: vocab.append(joined)
            syms = [joined] + syms[2:]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    ids = {t: i for i, t in enumerate(vocab)}
    with open(os.path.join(d, "vocab.json"), "w") as f: json.dump(ids, f)
    with open(os.path.join(d, "merges.txt"), "w") as f: f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    torch.manual_seed(1)
    cfg = CLIPTextConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=32, initializer_factor=4.0,
                         bos_token_id=ids["<|startoftext|>"], eos_token_id=ids["<|endoftext|>"], pad_token_id=ids["<|endoftext|>"])
    model = CLIPTextModel(cfg).eval()
    model.save_pretrained(d, safe_serialization=True)
    tok = CLIPTokenizer(os.path.join(d, "vocab.json"), os.path.join(d, "merges.txt"))
    dump("clip", tok, model, {"eos_token_id": ids["<|endoftext|>"]})


bert()
clip()
print("wrote", out, "with transformers", transformers.__version__, "torch", torch.__version__)
