// Package ops holds the operations drill that `make test-ops` runs (build
// tag ops): two station serve replicas behind HAProxy with TLS, a
// PostgreSQL primary with a synchronous streaming standby, backups with
// pgBackRest; a mixed load during which one replica and then the primary
// are killed, the standby promoted with deploy/pg-failover; and a restore
// of the night's backup into a fresh cluster. Everything runs on loopback
// ports 18700-18799 with clusters under var/ops; nothing touches the
// machine's own PostgreSQL.
package ops
