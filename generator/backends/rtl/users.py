"""Users' own multiplier modules in a project: axgen_mul_user.v dispatching each lut: layer
(FAMILY 9, K1 = its ID) to the module proven equal to its table, and copies of their files."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.errors import AxgenError
from generator.hw.layout import hw_widths

USER_DISPATCH = "axgen_mul_user.v"


def render_users(env, plan, users: dict, out_dir: Path) -> list[str]:
    """Write the dispatch module and the users' files; returns their names (none without users)."""
    if not users:
        return []
    entries, files = [], {}
    for impl in plan.stages:
        user = users.get(impl.index)
        if user is None:
            continue
        if files.get(user["file"], user["source"]) != user["source"]:
            raise AxgenError(f"two different lut_verilog files are both named {user['file']}; rename one")
        files[user["file"]] = user["source"]
        extend = f"raw[{user['p_bits'] - 1}]" if user["p_signed"] else "1'b0"
        entries.append({**user, "acc_bits": hw_widths(impl)["acc_bits"], "extend": extend})
    (out_dir / USER_DISPATCH).write_text(env.get_template("mul_user.v.j2").render(users=entries))
    for name, source in files.items():
        shutil.copyfile(source, out_dir / name)
    return [USER_DISPATCH, *sorted(files)]
