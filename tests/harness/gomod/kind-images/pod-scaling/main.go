// Command pod-scaling is the chapter's demo app (jonbaier/pod-scaling:0.1|0.2|0.3), rewritten: an HTTP
// server on :80 that answers with its version and the pod's name, burning CPU on every request so an
// HPA sees real load. The version comes from POD_SCALING_VERSION (each image tag sets its own).
package main

import (
	"crypto/sha256"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

func burn(d time.Duration) int {
	sum := sha256.Sum256([]byte("pod-scaling"))
	n := 0
	for deadline := time.Now().Add(d); time.Now().Before(deadline); n++ {
		for i := 0; i < 1000; i++ {
			sum = sha256.Sum256(sum[:])
		}
	}
	return n
}

func main() {
	version := os.Getenv("POD_SCALING_VERSION")
	burnMS, err := strconv.Atoi(os.Getenv("BURN_MS"))
	if err != nil {
		burnMS = 20
	}
	host, _ := os.Hostname()
	addr := os.Getenv("LISTEN")
	if addr == "" {
		addr = ":80"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		burn(time.Duration(burnMS) * time.Millisecond)
		fmt.Fprintf(w, "pod-scaling %s from %s\n", version, host)
	})
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	log.Printf("pod-scaling %s listening on %s (%d ms of CPU per request)", version, addr, burnMS)
	log.Fatal(http.ListenAndServe(addr, nil))
}
