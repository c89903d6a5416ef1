using System.Threading.Channels;

namespace VidGen.Web.Jobs;

/// <summary>One server-sent event: its name ("job" or "progress"), the job it is about and its JSON payload.</summary>
public sealed record ServerEvent(string Name, string JobId, object Data);

/// <summary>
/// Fans job events out to every open event stream. Each subscriber has its own bounded channel that drops the oldest
/// event when a client reads too slowly, so one stalled browser tab can never block the worker thread; the page
/// re-reads /api/jobs whenever its stream (re)connects, which repairs anything it missed.
/// </summary>
public sealed class EventHub
{
    readonly object gate = new();
    readonly List<Channel<ServerEvent>> subscribers = new();

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<ServerEvent>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (gate) subscribers.Add(channel);
        return new Subscription(this, channel);
    }

    public void Publish(ServerEvent e)
    {
        lock (gate)
            foreach (var s in subscribers) s.Writer.TryWrite(e);
    }

    public int SubscriberCount { get { lock (gate) return subscribers.Count; } }

    public sealed class Subscription : IDisposable
    {
        readonly EventHub hub;
        readonly Channel<ServerEvent> channel;
        internal Subscription(EventHub hub, Channel<ServerEvent> channel) { this.hub = hub; this.channel = channel; }
        public ChannelReader<ServerEvent> Reader => channel.Reader;

        public void Dispose()
        {
            lock (hub.gate) hub.subscribers.Remove(channel);
            channel.Writer.TryComplete();
        }
    }
}
