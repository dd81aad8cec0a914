"""Reading waveforms back in tests."""


def vcd_output_beats(path, tlast: bool = True):
    """(m_axis_tdata, m_axis_tlast) of every m_axis handshake in a Verilator VCD of a stream module
    (its ports in scope TOP), sampled just before each rising edge of ap_clk; only m_axis_tdata
    without `tlast` (a layer has no m_axis_tlast)."""
    ids, values, beats = {}, {}, []
    scope = []
    with open(path) as f:
        lines = iter(f)
        for line in lines:
            words = line.split()
            if not words:
                continue
            if words[0] == "$scope":
                scope.append(words[2])
            elif words[0] == "$upscope":
                scope.pop()
            elif words[0] == "$var" and scope == ["TOP"]:
                ids[words[3]] = words[4]
            elif words[0] == "$enddefinitions":
                break
        before = {}
        for line in lines:
            line = line.strip()
            if line.startswith("#"):
                before = dict(values)
                continue
            if line.startswith("b"):
                bits, code = line[1:].split()
            elif line[:1] in "01xz" and line:
                bits, code = line[0], line[1:]
            else:
                continue
            if code not in ids:
                continue
            name = ids[code]
            value = int(bits.replace("x", "0").replace("z", "0"), 2)
            values[name] = value
            if name == "ap_clk" and value == 1 and before.get("ap_clk") == 0:
                if before.get("m_axis_tvalid") and before.get("m_axis_tready"):
                    beats.append((before["m_axis_tdata"], before["m_axis_tlast"]) if tlast else before["m_axis_tdata"])
    return beats
