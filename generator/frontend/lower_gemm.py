"""LowerGemm: Gemm -> [Transpose(B)] -> MatMul -> [Mul(alpha)] -> [Add(beta*C)].

qonnx's GemmToMatMul needs a C input; Brevitas exports bias-less layers as two-input Gemms.
After this pass every fully-connected layer is a MatMul whose bias and scaling are ordinary
elementwise nodes, which the threshold derivation evaluates like any other.
"""

from __future__ import annotations

import numpy as np
from onnx import helper
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.transformation.base import Transformation
from qonnx.util.basic import get_by_name

from generator.errors import AxgenError


def _attr(node, name, default):
    a = get_by_name(node.attribute, name)
    if a is None:
        return default
    return a.f if a.type == a.FLOAT else a.i


class LowerGemm(Transformation):
    def apply(self, model: ModelWrapper):
        graph = model.graph
        for index, node in enumerate(list(graph.node)):
            if node.op_type != "Gemm":
                continue
            if _attr(node, "transA", 0):
                raise AxgenError(f"node {node.name}: Gemm with transA=1 is not supported (only x @ W layers)")
            alpha = float(_attr(node, "alpha", 1.0))
            beta = float(_attr(node, "beta", 1.0))
            a, b = node.input[0], node.input[1]
            c = node.input[2] if len(node.input) > 2 and node.input[2] else None
            out = node.output[0]
            new_nodes = []
            if _attr(node, "transB", 0):
                bt = model.make_new_valueinfo_name()
                new_nodes.append(helper.make_node("Transpose", [b], [bt], perm=[1, 0], name=node.name + "_transB"))
                b = bt
            steps = [("Mul", np.float32(alpha))] if alpha != 1.0 else []
            if c is not None:
                if beta != 1.0:
                    cs = model.make_new_valueinfo_name()
                    bname = model.make_new_valueinfo_name()
                    model.set_initializer(bname, np.asarray(beta, dtype=np.float32))
                    new_nodes.append(helper.make_node("Mul", [c, bname], [cs], name=node.name + "_beta"))
                    c = cs
                steps.append(("Add", c))
            current = model.make_new_valueinfo_name() if steps else out
            new_nodes.append(helper.make_node("MatMul", [a, b], [current], name=node.name))
            for k, (op, operand) in enumerate(steps):
                if isinstance(operand, np.floating):
                    pname = model.make_new_valueinfo_name()
                    model.set_initializer(pname, np.asarray(operand, dtype=np.float32))
                    operand = pname
                nxt = out if k == len(steps) - 1 else model.make_new_valueinfo_name()
                new_nodes.append(helper.make_node(op, [current, operand], [nxt], name=f"{node.name}_{op.lower()}"))
                current = nxt
            graph.node.remove(node)
            for offset, n in enumerate(new_nodes):
                graph.node.insert(index + offset, n)
            return model, True
        return model, False
