// Command kindnetd does what kind's own kindnetd did before network policies (kind v0.11's
// images/kindnetd): it writes the node's CNI config (ptp + host-local on the node's pod CIDR, portmap)
// and keeps a route to every other node's pod CIDR through that node's InternalIP. The harness builds it
// because kind's kindnetd module is not on the Go module proxy; the image keeps kind's name so kind's
// default CNI manifest runs unchanged. It reads the API with the pod's service account (stdlib only).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
)

const (
	saDir    = "/var/run/secrets/kubernetes.io/serviceaccount"
	cniFile  = "/etc/cni/net.d/10-kindnet.conflist"
	interval = 10 * time.Second
)

type nodeList struct {
	Items []struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			PodCIDRs []string `json:"podCIDRs"`
		} `json:"spec"`
		Status struct {
			Addresses []struct {
				Type    string `json:"type"`
				Address string `json:"address"`
			} `json:"addresses"`
		} `json:"status"`
	} `json:"items"`
}

func client() (*http.Client, string, error) {
	ca, err := os.ReadFile(filepath.Join(saDir, "ca.crt"))
	if err != nil {
		return nil, "", err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return c, "https://" + net.JoinHostPort(host, port), nil
}

func listNodes(c *http.Client, base string) (*nodeList, error) {
	token, err := os.ReadFile(filepath.Join(saDir, "token")) // re-read: projected tokens rotate
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/nodes", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /api/v1/nodes: %s", resp.Status)
	}
	var nodes nodeList
	return &nodes, json.NewDecoder(resp.Body).Decode(&nodes)
}

func mtuOf(ip string) int {
	links, _ := netlink.LinkList()
	for _, link := range links {
		addrs, _ := netlink.AddrList(link, netlink.FAMILY_ALL)
		for _, a := range addrs {
			if a.IP.String() == ip {
				return link.Attrs().MTU
			}
		}
	}
	return 1500
}

func writeCNI(cidrs []string, mtu int) error {
	var ranges []string
	for _, c := range cidrs {
		ranges = append(ranges, fmt.Sprintf(`[{"subnet": %q}]`, c))
	}
	conf := fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "kindnet",
  "plugins": [
    {"type": "ptp", "ipMasq": false, "mtu": %d,
     "ipam": {"type": "host-local", "dataDir": "/run/cni-ipam-state",
              "routes": [{"dst": "0.0.0.0/0"}], "ranges": [%s]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, mtu, strings.Join(ranges, ", "))
	if old, err := os.ReadFile(cniFile); err == nil && string(old) == conf {
		return nil
	}
	tmp := cniFile + ".tmp"
	if err := os.WriteFile(tmp, []byte(conf), 0o644); err != nil {
		return err
	}
	log.Printf("writing %s for %v", cniFile, cidrs)
	return os.Rename(tmp, cniFile)
}

func sync(c *http.Client, base, hostIP string) error {
	nodes, err := listNodes(c, base)
	if err != nil {
		return err
	}
	for _, n := range nodes.Items {
		internal := ""
		for _, a := range n.Status.Addresses {
			if a.Type == "InternalIP" && net.ParseIP(a.Address).To4() != nil {
				internal = a.Address
			}
		}
		if internal == hostIP {
			if len(n.Spec.PodCIDRs) > 0 {
				if err := writeCNI(n.Spec.PodCIDRs, mtuOf(hostIP)); err != nil {
					return err
				}
			}
			continue
		}
		for _, cidr := range n.Spec.PodCIDRs {
			_, dst, err := net.ParseCIDR(cidr)
			if err != nil || dst.IP.To4() == nil || internal == "" {
				continue
			}
			route := netlink.Route{Dst: dst, Gw: net.ParseIP(internal)}
			if err := netlink.RouteReplace(&route); err != nil {
				return fmt.Errorf("route %s via %s (node %s): %w", cidr, internal, n.Metadata.Name, err)
			}
		}
	}
	return nil
}

func main() {
	hostIP := os.Getenv("HOST_IP")
	c, base, err := client()
	if err != nil {
		log.Fatalf("no in-cluster credentials: %v", err)
	}
	log.Printf("kindnetd (kworkshop harness) on %s, pod subnet %s", hostIP, os.Getenv("POD_SUBNET"))
	for {
		if err := sync(c, base, hostIP); err != nil {
			log.Printf("sync: %v", err)
		}
		time.Sleep(interval)
	}
}
