// Links that open the phone's map app at a stop. AMap takes GCJ-02 and Baidu BD-09 (China's
// obfuscated datums, converted by gcoord); a `geo:` link takes WGS-84 as stored.

import gcoord from "../vendor/gcoord.js";

export function navigationLinks(at, name) {
  const [gLon, gLat] = gcoord.transform([at.lon, at.lat], gcoord.WGS84, gcoord.GCJ02);
  const [bLon, bLat] = gcoord.transform([at.lon, at.lat], gcoord.WGS84, gcoord.BD09);
  const label = encodeURIComponent(name);
  return {
    amap: `https://uri.amap.com/navigation?to=${gLon.toFixed(6)},${gLat.toFixed(6)},${label}&mode=ride&coordinate=gaode&callnative=1&src=patrolmap`,
    baidu: `https://api.map.baidu.com/direction?destination=latlng:${bLat.toFixed(6)},${bLon.toFixed(6)}|name:${label}&mode=riding&coord_type=bd09ll&output=html&src=patrolmap`,
    geo: `geo:${at.lat.toFixed(6)},${at.lon.toFixed(6)}?q=${at.lat.toFixed(6)},${at.lon.toFixed(6)}(${label})`,
  };
}
