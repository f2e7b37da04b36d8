# Cloud NAT for the GKE cluster's private nodes (illustrative layout). No
# tcp_established_idle_timeout_sec: the provider default is 1200 s
# (GoogleCloudPlatform/magic-modules#2283: "tcp_established_idle_timeout_sec:
# 0 => 1200").
resource "google_compute_router" "egress" {
  name    = "egress"
  region  = "europe-west1"
  network = "default"
}

resource "google_compute_router_nat" "egress" {
  name                               = "egress"
  router                             = google_compute_router.egress.name
  region                             = google_compute_router.egress.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
}
