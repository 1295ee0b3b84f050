// Package cluster is the fault test of Utdrag run as a region runs it: two
// replicas (utdrag serve, separate processes) behind a balancer, sharing
// a PostgreSQL index and a four-node, eight-drive MinIO cluster
// (scripts/minio-cluster.sh) reached through a balancer of its own, with
// nodes killed under load. Its tests build only with the tag "cluster" and
// need the cluster's and the database's environment:
//
//	make test-cluster
//	scripts/minio-cluster.sh run scripts/with-postgres.sh go test -tags cluster -v ./e2e/cluster/
//
// It is not part of make test: it runs for a few minutes and loads the
// machine.
package cluster
