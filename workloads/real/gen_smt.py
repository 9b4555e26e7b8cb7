"""gen_smt.py: SMT-LIB problems for the z3 real-program workload of heapbench
(written for it): pigeonhole formulas (unsat, propositional), N-queens over
integers (sat), and a bit-vector identity (unsat).  usage: gen_smt.py SCALE"""
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
out = []
w = out.append


def pigeonhole(n):
    w("(push 1)")
    for p in range(n + 1):
        for h in range(n):
            w(f"(declare-const x{p}_{h} Bool)")
    for p in range(n + 1):
        w("(assert (or " + " ".join(f"x{p}_{h}" for h in range(n)) + "))")
    for h in range(n):
        for p in range(n + 1):
            for q in range(p + 1, n + 1):
                w(f"(assert (not (and x{p}_{h} x{q}_{h})))")
    w("(check-sat)")
    w("(pop 1)")


def queens(n):
    w("(push 1)")
    for i in range(n):
        w(f"(declare-const q{i} Int)")
        w(f"(assert (and (>= q{i} 0) (< q{i} {n})))")
    w("(assert (distinct " + " ".join(f"q{i}" for i in range(n)) + "))")
    for i in range(n):
        for j in range(i + 1, n):
            w(f"(assert (not (= (- q{i} q{j}) {j - i})))")
            w(f"(assert (not (= (- q{j} q{i}) {j - i})))")
    w("(check-sat)")
    w("(pop 1)")


def bitvector(bits):
    w("(push 1)")
    w(f"(declare-const a (_ BitVec {bits}))")
    w(f"(declare-const b (_ BitVec {bits}))")
    # (a + b)^2 = a^2 + 2ab + b^2 holds modulo 2^bits: its negation is unsat
    w("(assert (not (= (bvmul (bvadd a b) (bvadd a b)) "
      f"(bvadd (bvmul a a) (bvmul (_ bv2 {bits}) (bvmul a b)) (bvmul b b)))))")
    w("(check-sat)")
    w("(pop 1)")


rounds = max(1, int(4 * scale))
for r in range(rounds):
    pigeonhole(8)
    queens(16 + r % 4)
    bitvector(12)
print("\n".join(out))
