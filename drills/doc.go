// Package drills holds the reliability drills: each does the bad thing for
// real (SIGKILL the built binary mid-load, cut the database connection,
// run two servers on one database, storm the webhook) and checks that
// nothing acknowledged is lost or duplicated. They need MySQL
// (PV_TEST_MYSQL_DSN); PV_LONG_DRILLS=1 runs the long versions.
package drills
