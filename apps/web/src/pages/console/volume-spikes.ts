import type { QueueCount } from "../../components/work";
import { formatCount, formatDateTime } from "../../format";

/** A client in a volume spike, as the live counts carry it. */
export type SpikingClient = Pick<QueueCount, "clientId" | "clientName"> & { spike: NonNullable<QueueCount["spike"]> };

/**
 * What the console's spike banner says: one spike in a sentence; several in one banner, a clause per client, so a
 * launch on three clients does not push the queue down by three banners on a laptop.
 */
export function spikeBanner(spiking: readonly SpikingClient[]): { title: string; detail: string } | null {
  const rate = ({ spike }: SpikingClient) => `${formatCount(spike.ratePerHour)} items an hour`;
  const since = ({ spike }: SpikingClient) => `since ${formatDateTime(spike.startedAt)}`;
  const [only] = spiking;
  if (!only) return null;
  if (spiking.length === 1) {
    return {
      title: `Spike on ${only.clientName}`,
      detail: `${rate(only)} ${since(only)}, where ${formatCount(only.spike.usualPerHour)} an hour is usual at this time.`,
    };
  }
  return {
    title: `Spikes on ${spiking.length} clients`,
    detail: `${spiking
      .map(
        (client) =>
          `${client.clientName}, ${rate(client)} (${formatCount(client.spike.usualPerHour)} usual) ${since(client)}`,
      )
      .join("; ")}.`,
  };
}
