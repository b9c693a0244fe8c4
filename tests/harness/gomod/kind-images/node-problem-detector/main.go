// Command node-problem-detector is a harmless stand-in under the DaemonSet's image name: it reports
// that it watches nothing, then logs a heartbeat every minute until it is stopped.
package main

import (
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	node := os.Getenv("NODE_NAME")
	log.Printf("node-problem-detector (kworkshop stand-in) on node %q: no problem daemons configured", node)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(time.Minute)
	for {
		select {
		case <-tick.C:
			log.Printf("no problems found")
		case s := <-stop:
			log.Printf("stopping on %s", s)
			return
		}
	}
}
