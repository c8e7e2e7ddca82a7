using Microsoft.Extensions.Configuration;

namespace OrleansEnrollment.Hosting;

/// <summary>How a process joins the Orleans cluster: a silo or a client.</summary>
public enum OrleansHostingMode
{
    /// <summary>The web frontend runs a silo in its own process (one process is the whole system).</summary>
    CoHosted,

    /// <summary>The web frontend only connects to silos running elsewhere, through their gateways.</summary>
    Client,
}

/// <summary>How silos find each other and clients find gateways.</summary>
public enum ClusteringKind
{
    /// <summary>One silo on loopback: the local run and single-process tests.</summary>
    Localhost,

    /// <summary>The membership table in PostgreSQL (Microsoft.Orleans.Clustering.AdoNet): any number of silos.</summary>
    AdoNet,
}

/// <summary>
/// The <c>Orleans</c> configuration section, read the same way by the silo host and the web frontend (environment:
/// <c>Orleans__ClusterId</c>, <c>Orleans__SiloPort</c>, ...), so two silos and a client can be told apart on one machine.
/// Orleans binds <c>ClusterId</c> and <c>ServiceId</c> from this section too, so the names agree with its own.
/// </summary>
public sealed class EnrollmentClusterOptions
{
    public const string Section = "Orleans";

    /// <summary>Only the web frontend reads this; a silo host is always a silo.</summary>
    public OrleansHostingMode Mode { get; set; } = OrleansHostingMode.CoHosted;

    /// <summary>
    /// Named so because Orleans reads <c>Orleans:Clustering</c> itself (as a provider section): ours must not collide.
    /// </summary>
    public ClusteringKind ClusteringProvider { get; set; } = ClusteringKind.Localhost;

    /// <summary>Silos and clients with the same ClusterId form one cluster; a fresh id is a fresh cluster on the same tables.</summary>
    public string ClusterId { get; set; } = "enrollment";

    /// <summary>Stays the same across deployments: grain state is stored under it.</summary>
    public string ServiceId { get; set; } = "orleans-enrollment";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address a silo publishes in the membership table, for other silos and clients to dial. Unset: the first
    /// non-loopback address of the machine (right in a container); set 127.0.0.1 to run several silos on one machine.
    /// </summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>
    /// How often a client re-reads the list of gateways (Orleans' default is a minute): how soon it uses a silo that
    /// joined after it connected, which is what lets it carry on when the silos it knew are gone.
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a client keeps trying to reach a gateway at start-up (silos may still be starting).</summary>
    public TimeSpan ClientConnectTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public static EnrollmentClusterOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<EnrollmentClusterOptions>() ?? new EnrollmentClusterOptions();
}
