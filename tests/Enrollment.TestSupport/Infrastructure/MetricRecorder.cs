using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansEnrollment.Telemetry;

namespace OrleansEnrollment.Tests.Infrastructure;

/// <summary>
/// Records what the enrollment meter of the given hosts measures. Hosts are told apart by the meter's scope (their
/// own <see cref="IMeterFactory"/>), so measurements from other clusters in the same test process never count.
/// </summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly HashSet<IMeterFactory> hosts;

    public MetricRecorder(IEnumerable<IServiceProvider> hostServices)
    {
        hosts = hostServices.Select(services => (IMeterFactory)services.GetService(typeof(IMeterFactory))!).ToHashSet();
        listener.InstrumentPublished = (instrument, subscriber) =>
        {
            if (instrument.Meter.Name == EnrollmentTelemetry.Name && instrument.Meter.Scope is IMeterFactory factory && hosts.Contains(factory))
            {
                subscriber.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    public ConcurrentQueue<Measurement> Measurements { get; } = new();

    public IReadOnlyList<Measurement> Of(string instrument) => Measurements.Where(measurement => measurement.Instrument == instrument).ToList();

    /// <summary>Takes a reading of the observable instruments (the waitlist gauge), as an exporter would.</summary>
    public void Observe() => listener.RecordObservableInstruments();

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, string?>();
        foreach (var (key, tagValue) in tags)
        {
            copied[key] = tagValue?.ToString();
        }

        Measurements.Enqueue(new Measurement(instrument.Name, value, copied));
    }

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
    {
        public string? Tag(string key) => Tags.GetValueOrDefault(key);
    }
}
