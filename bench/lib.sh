# Helpers shared by the benchmark scripts (sourced, not run).

# A free port on 127.0.0.1, chosen at random and checked against the listening sockets.
free_port() {
    local port
    for _ in $(seq 100); do
        port=$(( 20000 + RANDOM % 40000 ))
        if ! ss -Htln "sport = :$port" | grep -q .; then echo "$port"; return; fi
    done
    echo "$(basename "$0"): no free port found" >&2; return 1
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
