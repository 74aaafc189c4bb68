"""What each gate does, in English and in Chinese, shown beside the heatmaps (both languages at once, as a
bilingual glossary; it does not follow the UI language)."""

from __future__ import annotations

EXPLANATIONS = (
    ("Input gate · 输入门",
     "How much of the new candidate value is written into the cell at this step. Near 1: the unit takes in "
     "what it sees now; near 0: it ignores it.",
     "决定这一步有多少新的候选信息写入记忆单元。接近 1：吸收当前输入；接近 0：忽略它。"),
    ("Forget gate · 遗忘门",
     "How much of the old cell value is kept. Near 1: the unit remembers (long-term memory, e.g. the key or "
     "the voice in play); near 0: it wipes its memory.",
     "决定旧的记忆保留多少。接近 1：长期记住（例如调性、当前声部）；接近 0：清空记忆。"),
    ("Output gate · 输出门",
     "How much of the cell is shown to the next layer and to the output. A unit can remember something "
     "without acting on it until the output gate opens.",
     "决定记忆单元有多少内容传给下一层和输出。单元可以先记住信息，等输出门打开时才使用。"),
    ("Cell state · 细胞状态",
     "The unit's memory c = f·c + i·g. Blue is negative, red positive; a value that holds steady over a "
     "stretch of time is the LSTM remembering.",
     "单元的记忆 c = f·c + i·g。蓝色为负，红色为正；长时间保持不变的值说明 LSTM 在记忆。"),
)


def html() -> str:
    parts = ["<h3>Inside the LSTM · LSTM 内部</h3>",
             "<p>Each row is one unit of the chosen layer, each column a moment of the piece or the recording. "
             "Hover for the exact value.<br>每一行是所选层的一个单元，每一列是一个时间点。悬停查看数值。</p>"]
    for title, en, zh in EXPLANATIONS:
        parts.append(f"<p><b>{title}</b><br>{en}<br><span>{zh}</span></p>")
    parts.append("<p><small>The values are replayed from the model's own weights by seqstudio.nn.inspect and "
                 "checked against PyTorch's LSTM. · 数值由模型自身权重重算，并与 PyTorch 的 LSTM 核对。"
                 "</small></p>")
    return "\n".join(parts)
