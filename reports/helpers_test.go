package reports_test

import "github.com/patientvoice/patientvoice/models"

func modelsFilter(day string) models.ReportFilter {
	return models.ReportFilter{FromDay: day, ToDay: day}
}
