"""`axgen inspect`: the layers the frontend found."""

from __future__ import annotations

from rich.table import Table

from generator.ir import Network


def layer_rows(net: Network) -> list[dict]:
    return [{
        "index": i, "name": layer.name, "kind": layer.kind, "source": layer.source,
        "in_shape": list(layer.in_shape), "out_shape": list(layer.out_shape),
        "in_dtype": layer.in_dtype.name,
        "weight_dtype": None if layer.weight_dtype is None else layer.weight_dtype.name,
        "out_dtype": "accumulator" if layer.outputs_accumulator else layer.out_dtype.name,
        "macs": layer.macs,
    } for i, layer in enumerate(net.layers)]


def layer_table(net: Network) -> Table:
    table = Table(title=f"{net.name}: {len(net.layers)} compute layers")
    for col in ("#", "name", "kind", "in shape", "out shape", "input", "weights", "output", "MACs", "ONNX node"):
        table.add_column(col, justify="right" if col in ("#", "MACs") else "left")
    for row in layer_rows(net):
        table.add_row(str(row["index"]), row["name"], row["kind"], str(tuple(row["in_shape"])),
                      str(tuple(row["out_shape"])), row["in_dtype"], row["weight_dtype"] or "-", row["out_dtype"],
                      f"{row['macs']:,}", row["source"])
    table.caption = f"total MACs per sample: {sum(layer.macs for layer in net.layers):,}"
    return table
