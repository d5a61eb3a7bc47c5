using System.Globalization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using Proactive.CxConsole.Backtest;

namespace Proactive.Standalone.Replay;

/// <summary>
/// The report's two plots, drawn with OxyPlot and written as SVG: the lead time of the late orders
/// told, and the threshold sweep. The same figures give the same bytes (no date, invariant numbers).
/// </summary>
public static class ReplayPlots
{
    public const string LeadTimeFile = "lead-time.svg";
    public const string SweepFile = "threshold-sweep.svg";

    /// <summary>A histogram of promise − first warning (hours), 12-hour bins; negative: told after the promise.</summary>
    public static PlotModel LeadTime(IReadOnlyCollection<double> hours)
    {
        var model = Model("Lead time of the late orders told (promise − first warning)");
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "hours before the promise" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "late orders", AxisTitleDistance = 16, Minimum = 0, MinimumPadding = 0, AbsoluteMinimum = 0 });
        var series = new HistogramSeries { FillColor = OxyColor.FromRgb(0x4C, 0x72, 0xB0), StrokeColor = OxyColors.White, StrokeThickness = 1 };
        foreach (var bin in LeadTimeBin.Of(hours))
        {
            series.Items.Add(new HistogramItem(bin.FromHours, bin.FromHours + LeadTimeBin.Hours, bin.Orders * LeadTimeBin.Hours, bin.Orders));
        }

        model.Series.Add(series);
        return model;
    }

    /// <summary>Precision and recall against the threshold (left axis), the median lead (right axis, hours).</summary>
    public static PlotModel Sweep(SweepReport sweep)
    {
        var model = Model(string.Create(CultureInfo.InvariantCulture, $"Threshold sweep of the prediction (configured {sweep.ConfiguredThreshold:0.00})"));
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopCenter, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal, LegendItemSpacing = 40, LegendColumnSpacing = 40, LegendPadding = 24 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "threshold", Minimum = 0.25, Maximum = 1.0 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "precision, recall", Minimum = 0, Maximum = 1.05, AxisTitleDistance = 16 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Title = "median lead (hours)", Key = "lead", Minimum = 0, AxisTitleDistance = 16 });
        var precision = new LineSeries { Title = Label("precision"), MarkerType = MarkerType.Circle };
        var recall = new LineSeries { Title = Label("recall"), MarkerType = MarkerType.Square };
        var lead = new LineSeries { Title = Label("median lead (h)"), YAxisKey = "lead", LineStyle = LineStyle.Dash, MarkerType = MarkerType.Diamond };
        foreach (var row in sweep.Rows)
        {
            Add(precision, row.Threshold, row.Precision);
            Add(recall, row.Threshold, row.Recall);
            Add(lead, row.Threshold, row.MedianLeadHours);
        }

        model.Series.Add(precision);
        model.Series.Add(recall);
        model.Series.Add(lead);
        model.Annotations.Add(new OxyPlot.Annotations.LineAnnotation
        {
            Type = OxyPlot.Annotations.LineAnnotationType.Vertical,
            X = sweep.ConfiguredThreshold,
            Color = OxyColors.Gray,
            LineStyle = LineStyle.Dot,
            Text = "configured",
        });
        return model;
    }

    /// <summary>The plot as an SVG document (text placed without dominant-baseline, which some viewers ignore).</summary>
    public static string Svg(PlotModel model) =>
        new SvgExporter { Width = 800, Height = 480, UseVerticalTextAlignmentWorkaround = true }.ExportToString(model);

    private static PlotModel Model(string title) => new()
    {
        Title = title,
        TitleFontSize = 14,
        DefaultFont = "Arial",
        Background = OxyColors.White,
    };

    // OxyPlot's SVG text measurer runs narrow of most fonts and clips a legend label to what it measured.
    private static string Label(string text) => text + new string('\u00A0', 6);

    private static void Add(LineSeries series, double x, double? y)
    {
        // A gap, not a zero, where a threshold has no figure (nobody warned, no late order).
        series.Points.Add(y is { } v ? new DataPoint(x, v) : DataPoint.Undefined);
    }
}
