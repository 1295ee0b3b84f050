# ports.sh: sourced by the with-*.sh scripts; not run on its own.
#
# The sourcing script defines log (its own message prefix) before calling.

# free_port prints a loopback port in 20000-59999 nobody listens on.
# Another process may still take it before the caller's server does; the
# callers retry on a fresh port then.
free_port() {
	local port i
	for i in $(seq 1 200); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	log "no free port found"
	return 1
}
