using System.Threading.Channels;
using VidGen.Media;

namespace VidGen.Web.Jobs;

/// <summary>Something that happened to a job. The hub fans it out; the API turns it into a server-sent event.</summary>
public abstract record JobEvent(string JobId);

/// <summary>A job's state, or its place in the queue, changed.</summary>
public sealed record JobChanged(JobSnapshot Job) : JobEvent(Job.Id);

/// <summary>The running job finished a sampler step; <see cref="Preview"/> is null when the preview was not refreshed.</summary>
public sealed record JobStepped(string JobId, int Step, int TotalSteps, double ElapsedSeconds, double EtaSeconds, Video? Preview) : JobEvent(JobId);

public sealed record JobDeleted(string JobId) : JobEvent(JobId);

/// <summary>
/// Fans job events out to every open event stream. Each subscriber has its own bounded channel that drops the oldest
/// event when a client reads too slowly, so one stalled browser tab can never block the worker thread; the page
/// re-reads /api/jobs whenever its stream (re)connects, which repairs anything it missed.
/// </summary>
public sealed class EventHub
{
    readonly object gate = new();
    readonly List<Channel<JobEvent>> subscribers = new();

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<JobEvent>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (gate) subscribers.Add(channel);
        return new Subscription(this, channel);
    }

    public void Publish(JobEvent e)
    {
        lock (gate)
            foreach (var s in subscribers) s.Writer.TryWrite(e);
    }

    public int SubscriberCount { get { lock (gate) return subscribers.Count; } }

    public sealed class Subscription : IDisposable
    {
        readonly EventHub hub;
        readonly Channel<JobEvent> channel;
        internal Subscription(EventHub hub, Channel<JobEvent> channel) { this.hub = hub; this.channel = channel; }
        public ChannelReader<JobEvent> Reader => channel.Reader;

        public void Dispose()
        {
            lock (hub.gate) hub.subscribers.Remove(channel);
            channel.Writer.TryComplete();
        }
    }
}
