import Z3Kit

/// Pigeonhole principle with `holes + 1` pigeons: unsat, and exponentially hard for
/// CDCL at 11 holes, so a check on it only returns early through a timeout or interrupt.
func assertPigeonhole(_ ctx: Z3Context, _ solver: Z3Solver, holes n: Int) throws {
  let p = try (0...n).map { i in try (0..<n).map { j in try ctx.boolVar("p_\(i)_\(j)") } }
  for i in 0...n { try solver.assert(ctx.or(p[i])) }
  for j in 0..<n {
    for i in 0...n {
      for k in stride(from: i + 1, through: n, by: 1) {
        try solver.assert(ctx.not(ctx.and([p[i][j], p[k][j]])))
      }
    }
  }
}
