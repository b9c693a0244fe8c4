// The harness's own small programs for the kind node image it builds offline (test harness only):
// kindnetd (routes between nodes' pod CIDRs and the CNI config, in place of kind's kindnetd, whose
// module the proxy does not serve), pod-scaling (chapter 5's demo app) and node-problem-detector
// (a harmless agent under the DaemonSet's image name).
module kworkshop.local/build/kind-images

go 1.26.0

require github.com/vishvananda/netlink v1.3.1

require (
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/sys v0.10.0 // indirect
)
