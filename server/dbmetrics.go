package server

import (
	"github.com/patientvoice/patientvoice/models"
	"github.com/prometheus/client_golang/prometheus"
)

// retryCollector exposes the store's retried writes on /metrics: on a
// Galera cluster a steady rate of conflicts is normal, a climbing one or
// any "gave_up" means servers fight over the same rows.
type retryCollector struct {
	stats *models.RetryStats
	desc  *prometheus.Desc
}

func newRetryCollector(stats *models.RetryStats) retryCollector {
	return retryCollector{stats: stats, desc: prometheus.NewDesc("patientvoice_db_retries_total",
		"Database writes run again, by cause: conflict (deadlock or Galera certification failure, 1213), lock_wait (1205), "+
			"conn_lost (connection lost mid-transaction or during commit); gave_up counts writes still failing after the last attempt.",
		[]string{"cause"}, nil)}
}

// Describe implements prometheus.Collector.
func (c retryCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c retryCollector) Collect(ch chan<- prometheus.Metric) {
	for cause, v := range map[string]uint64{"conflict": c.stats.Conflicts.Load(), "lock_wait": c.stats.LockWaits.Load(),
		"conn_lost": c.stats.ConnLost.Load(), "gave_up": c.stats.GaveUp.Load()} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(v), cause)
	}
}
