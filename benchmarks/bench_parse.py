"""Time parsing and checking a realistic 200-line cell of definitions (target: under 20 ms).

    python benchmarks/bench_parse.py
"""


from timing import best_of

from cajal import check, parse_cell
from cajal.syntax import Def, TermItem, TypeDecl

BLOCK = """\
-- booleans, block {i}
def not{i} (x : 𝟚) : 𝟚 = if x then ff else tt
def and{i} (x : 𝟚) (y : 𝟚) : 𝟚 =
  if x
    then y
    else (if y then ff else ff)
def or{i} (x : Bool) (y : Bool) : Bool = if x then (if y then tt else tt) else y
def xor{i} (x : 𝟚) (y : 𝟚) : 𝟚 = if x then not{i} y else y

-- naturals and loops
def parity{i} (n : ℕ) : 𝟚 = iter{{tt | y ↪ not{i} y}}(n)
def add{i} (m : ℕ) (n : ℕ) : ℕ = iter{{m | acc ↪ succ acc}}(n)
def twice{i} (f : ℕ ⊸ ℕ) (n : ℕ) : ℕ = iter{{n | y ↪ f y}}(2)
def compose{i} (f : 𝟚 ⊸ 𝟚) (g : 𝟚 ⊸ 𝟚) : 𝟚 ⊸ 𝟚 = λx:𝟚. f (g x)
def power{i} (n : Nat) : Nat -o Nat =
  iter{{\\x:Nat. x | g => \\x:Nat. succ (g x)}}(n)
def pick{i} (b : 𝟚) (m : ℕ) (n : ℕ) : ℕ =
  let s = add{i} m n in
  if b then succ s else s
def image{i} (step : Image ⊸ Image) (img : Image) (n : ℕ) : Image = iter{{img | y ↪ step y}}(n)
and{i} (not{i} tt) (parity{i} 3); xor{i} tt ff
:type compose{i} not{i}
"""


def make_cell(lines: int = 200) -> str:
    parts = ["type Image"]
    i = 0
    while sum(p.count("\n") + 1 for p in parts) < lines:
        parts.append(BLOCK.format(i=i))
        i += 1
    return "\n".join(parts)


def parse_and_check(cell: str) -> int:
    defs, types, checked = {}, set(), 0
    for item in parse_cell(cell):
        if isinstance(item, TypeDecl):
            types.add(item.name)
        elif isinstance(item, Def):
            defs[item.name] = check(item.term, defs=defs, types=types).type
            checked += 1
        elif isinstance(item, TermItem):
            check(item.term, defs=defs, types=types)
            checked += 1
    return checked


if __name__ == "__main__":
    cell = make_cell(200)
    n_lines = cell.count("\n") + 1
    checked = parse_and_check(cell)
    parse_ms = best_of(lambda: parse_cell(cell)) * 1e3
    total_ms = best_of(lambda: parse_and_check(cell)) * 1e3
    print(f"{n_lines}-line cell, {checked} definitions and terms checked: "
          f"parse {parse_ms:.1f} ms, parse + check {total_ms:.1f} ms (target < 20 ms)")
