"""`axgen inspect`: the layers the frontend found, with the branches and joins of a graph."""

from __future__ import annotations

from rich.table import Table

from generator.ir import Network, chain_sources

INPUT = "input"  # what a layer fed by the accelerator's input names as its producer


def layer_rows(net: Network) -> list[dict]:
    """One row per layer in stream order; each names the layers feeding it (`inputs`) and fed
    by it (`outputs`): a duplicate has two outputs, an add two inputs."""
    sources = chain_sources(len(net.layers), net.sources)
    names = [layer.name for layer in net.layers]
    consumers = [[names[j] for j, srcs in enumerate(sources) for s in srcs if s == i] for i in range(len(names))]
    return [{
        "index": i, "name": layer.name, "kind": layer.kind, "source": layer.source,
        "in_shape": list(layer.in_shape), "out_shape": list(layer.out_shape),
        "in_dtype": layer.in_dtype.name,
        "weight_dtype": None if layer.weight_dtype is None else layer.weight_dtype.name,
        "out_dtype": (f"{layer.out_dtype.name} accumulator" if getattr(layer, "carries", False) else "accumulator")
        if layer.outputs_accumulator else layer.out_dtype.name,
        "macs": layer.macs,
        "inputs": [INPUT if s < 0 else names[s] for s in sources[i]], "outputs": consumers[i],
        **({"input_type": input_type(net)} if -1 in sources[i] else {}),
    } for i, layer in enumerate(net.layers)]


def input_type(net: Network) -> dict:
    """What the model's input is taken as and where that came from: its type (a quantizer's, an
    annotation's or --input-type's: "FIXED<16,6>"), the integer code the stream carries, and
    value = scale * (code - zero_point) after the host head."""
    head = net.head
    return {"type": head.input_type, "from": head.input_from, "code": net.layers[0].in_dtype.name,
            "scale": head.scale, "zero_point": head.zero_point}


def layer_table(net: Network) -> Table:
    branches = net.branches
    title = f"{net.name}: {len(net.layers)} compute layers"
    if branches:
        joins = sum(len(s) > 1 for s in net.sources)
        title += f", {joins} join{'s' if joins != 1 else ''} of two branches"
    table = Table(title=title)
    columns = ("#", "name", "kind", *(("from",) if branches else ()), "in shape", "out shape", "input", "weights",
               "output", "MACs", "ONNX node")
    for col in columns:
        table.add_column(col, justify="right" if col in ("#", "MACs") else "left")
    for row in layer_rows(net):
        feeds = (", ".join(row["inputs"]),) if branches else ()
        table.add_row(str(row["index"]), row["name"], row["kind"], *feeds, str(tuple(row["in_shape"])),
                      str(tuple(row["out_shape"])), row["in_dtype"], row["weight_dtype"] or "-", row["out_dtype"],
                      f"{row['macs']:,}", row["source"])
    source = input_type(net)
    origin = f" from {source['from']}" if source["from"] else ""
    table.caption = (f"input: {source['type'] or source['code']}{origin}, {source['code']} codes at scale "
                     f"{source['scale']:g}; total MACs per sample: {sum(layer.macs for layer in net.layers):,}")
    return table
