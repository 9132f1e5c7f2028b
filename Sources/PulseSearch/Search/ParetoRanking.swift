/// Non-dominated sorting and crowding distance (Deb et al., NSGA-II, 2002), with Deb's constraint domination:
/// a feasible point (violation 0) beats an infeasible one, of two infeasible points the smaller violation wins, and
/// of two feasible points the one that is no worse in every objective and better in one. All objectives are
/// minimised.
public enum ParetoRanking {
    /// Whether point `a` constraint-dominates point `b`.
    public static func dominates(_ a: [Double], _ violationA: Double, _ b: [Double], _ violationB: Double) -> Bool {
        if violationA == 0 && violationB > 0 { return true }
        if violationA > 0 || violationB > 0 { return violationA > 0 && violationB > 0 && violationA < violationB }
        return zip(a, b).allSatisfy { $0 <= $1 } && zip(a, b).contains { $0 < $1 }
    }

    /// The points' indices in fronts: the first front is dominated by no point, the second only by points of the
    /// first, and so on. Each front is in index order.
    public static func fronts(_ points: [[Double]], violations: [Double]) -> [[Int]] {
        let count = points.count
        var dominatedBy = [Int](repeating: 0, count: count)
        var dominating = [[Int]](repeating: [], count: count)
        for i in 0..<count {
            for j in 0..<count where i != j {
                if dominates(points[i], violations[i], points[j], violations[j]) {
                    dominating[i].append(j)
                } else if dominates(points[j], violations[j], points[i], violations[i]) {
                    dominatedBy[i] += 1
                }
            }
        }
        var fronts: [[Int]] = []
        var current = (0..<count).filter { dominatedBy[$0] == 0 }
        while !current.isEmpty {
            fronts.append(current)
            var next: [Int] = []
            for i in current {
                for j in dominating[i] {
                    dominatedBy[j] -= 1
                    if dominatedBy[j] == 0 { next.append(j) }
                }
            }
            current = next.sorted()
        }
        return fronts
    }

    /// The crowding distance of each member of `front`: the sum over objectives of the gap between its neighbours,
    /// normalised by the front's range; the extremes get infinity.
    public static func crowding(_ front: [Int], _ points: [[Double]]) -> [Int: Double] {
        var distance = Dictionary(uniqueKeysWithValues: front.map { ($0, 0.0) })
        guard front.count > 2, let objectives = points.first?.count else {
            for member in front { distance[member] = .infinity }
            return distance
        }
        for objective in 0..<objectives {
            let sorted = front.sorted { (points[$0][objective], $0) < (points[$1][objective], $1) }
            let range = points[sorted[sorted.count - 1]][objective] - points[sorted[0]][objective]
            distance[sorted[0]] = .infinity
            distance[sorted[sorted.count - 1]] = .infinity
            guard range > 0 else { continue }
            for position in 1..<(sorted.count - 1) {
                distance[sorted[position], default: 0] += (points[sorted[position + 1]][objective] - points[sorted[position - 1]][objective]) / range
            }
        }
        return distance
    }

    /// NSGA-II's environmental selection: the `count` best points by front, then by crowding distance (larger
    /// first), then by index.
    public static func select(_ count: Int, _ points: [[Double]], violations: [Double]) -> [Int] {
        var chosen: [Int] = []
        for front in fronts(points, violations: violations) {
            if chosen.count + front.count <= count {
                chosen += front
            } else {
                let distance = crowding(front, points)
                chosen += front.sorted { (distance[$0] ?? 0, -$0) > (distance[$1] ?? 0, -$1) }.prefix(count - chosen.count)
            }
            if chosen.count >= count { break }
        }
        return chosen
    }
}
