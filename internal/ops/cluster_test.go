//go:build ops

package ops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgBinDir is the PostgreSQL server that scripts/setup installs.
const pgBinDir = "/usr/lib/postgresql/15/bin"

func pgBin(name string) string { return filepath.Join(pgBinDir, name) }

// cluster is a PostgreSQL cluster of the drill.
type cluster struct {
	d    *drill
	name string
	data string
	sock string
	port int
}

// stanza is the pgBackRest stanza of the drill's clusters.
const stanza = "station"

func (d *drill) cluster(name string, port int) *cluster {
	return &cluster{d: d, name: name, data: filepath.Join(d.dir, name), sock: d.sock, port: port}
}

// backrestConf is the pgBackRest configuration: the repository (the
// night's backups and the WAL archive) under the run's directory.
func (d *drill) backrestConf() string { return filepath.Join(d.dir, "pgbackrest.conf") }

func (d *drill) writeBackrestConf(primary *cluster) {
	repo := filepath.Join(d.dir, "backrest")
	for _, sub := range []string{"", "repo", "log", "lock", "spool"} {
		d.mkdir(filepath.Join(repo, sub))
	}
	conf := fmt.Sprintf(`[global]
repo1-path=%[1]s/repo
repo1-retention-full=2
log-path=%[1]s/log
lock-path=%[1]s/lock
spool-path=%[1]s/spool
log-level-console=warn
log-level-file=info
start-fast=y
compress-type=lz4

[%[2]s]
pg1-path=%[3]s
pg1-port=%[4]d
pg1-socket-path=%[5]s
`, repo, stanza, primary.data, primary.port, primary.sock)
	if err := os.WriteFile(d.backrestConf(), []byte(conf), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// settings are what the drill's clusters run with: streaming replication
// and every WAL segment archived by pgBackRest.
func (c *cluster) settings() string {
	return fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
max_connections = 120
shared_buffers = 64MB
wal_level = replica
max_wal_senders = 4
wal_keep_size = 256MB
hot_standby = on
archive_mode = on
archive_command = 'pgbackrest --config=%s --stanza=%s --pg1-path=%s archive-push %%p'
archive_timeout = 30s
fsync = on
synchronous_commit = on
`, c.port, c.sock, c.d.backrestConf(), stanza, c.data)
}

func (c *cluster) appendConf(text string) {
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.d.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		c.d.t.Fatal(err)
	}
}

// initdb makes a new primary cluster.
func (c *cluster) initdb() {
	c.d.run("initdb-"+c.name, true, nil, pgBin("initdb"), "-D", c.data, "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
	c.appendConf(c.settings())
}

// standbyOf copies primary with pg_basebackup and makes it a streaming
// standby named "standby" (the name synchronous_standby_names waits for).
func (c *cluster) standbyOf(primary *cluster) {
	c.d.run("basebackup-"+c.name, true, nil, pgBin("pg_basebackup"), "-h", "127.0.0.1",
		"-p", fmt.Sprint(primary.port), "-U", "postgres", "-D", c.data, "-X", "stream", "-c", "fast")
	c.appendConf(c.settings() + fmt.Sprintf(
		"primary_conninfo = 'host=127.0.0.1 port=%d user=postgres application_name=standby'\n", primary.port))
	f, err := os.Create(filepath.Join(c.data, "standby.signal"))
	if err != nil {
		c.d.t.Fatal(err)
	}
	f.Close()
	c.d.chown(f.Name())
}

// start starts the cluster and waits until it accepts connections.
func (c *cluster) start(opts ...string) {
	args := []string{pgBin("pg_ctl"), "-D", c.data, "-l", filepath.Join(c.d.logs, "postgres-"+c.name+".log"), "-w", "-t", "120"}
	if len(opts) > 0 {
		args = append(args, "-o", strings.Join(opts, " "))
	}
	c.d.run("pg_ctl-"+c.name, true, nil, append(args, "start")...)
}

// crash stops the cluster the way a power cut would: no checkpoint, no
// goodbye to clients.
func (c *cluster) crash() {
	c.d.run("pg_ctl-"+c.name, true, nil, pgBin("pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop")
}

// url is the cluster's connection URL for database db.
func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// query runs sql on db and scans its one row into dest.
func (c *cluster) query(ctx context.Context, db, sql string, dest ...any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url(db))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if len(dest) == 0 {
		_, err = conn.Exec(ctx, sql)
		return err
	}
	return conn.QueryRow(ctx, sql).Scan(dest...)
}

// counts are the rows of the tables whose loss a resident would notice.
var countedTables = []string{"dossiers", "dossier_attachments", "payments", "payment_ledger", "reports", "report_media", "stations", "kiosk_sessions", "staff_users"}

func (c *cluster) counts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range countedTables {
		var n int64
		if err := c.query(ctx, "citizenstation", "SELECT count(*) FROM "+t, &n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// backrest runs a pgBackRest command on the drill's stanza.
func (d *drill) backrest(args ...string) {
	d.t.Helper()
	d.run("pgbackrest", true, nil, append([]string{"pgbackrest", "--config=" + d.backrestConf(), "--stanza=" + stanza}, args...)...)
}
