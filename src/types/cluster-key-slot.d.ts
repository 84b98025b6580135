// cluster-key-slot ships no types: the one function this tool uses.
declare module "cluster-key-slot" {
  export default function calculateSlot(key: string | Buffer): number;
}
